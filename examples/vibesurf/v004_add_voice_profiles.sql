-- Migration: v004_add_voice_profiles
-- Version:   4
-- Purpose:   Add voice_profiles for speech recognition (asr) and
--            text-to-speech (tts) model configurations, with indexes and an
--            updated_at trigger.

-- Foreign keys: strata turns them on for every migration (PRAGMA foreign_keys would be a no-op inside its transaction).

CREATE TABLE IF NOT EXISTS voice_profiles (
    profile_id          TEXT PRIMARY KEY NOT NULL,
    voice_profile_name  TEXT NOT NULL UNIQUE,
    voice_model_type    TEXT NOT NULL CHECK (voice_model_type IN ('asr', 'tts')),
    voice_model_name    TEXT NOT NULL,
    encrypted_api_key   TEXT,
    voice_meta_params   JSON,                         -- JSON object, e.g. {"language": "zh", "voice": "alloy"}
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at        DATETIME
);

CREATE INDEX IF NOT EXISTS idx_voice_profiles_name   ON voice_profiles(voice_profile_name);
CREATE INDEX IF NOT EXISTS idx_voice_profiles_type   ON voice_profiles(voice_model_type);
CREATE INDEX IF NOT EXISTS idx_voice_profiles_active ON voice_profiles(is_active);

CREATE TRIGGER IF NOT EXISTS update_voice_profiles_updated_at
AFTER UPDATE ON voice_profiles
FOR EACH ROW
BEGIN
    UPDATE voice_profiles SET updated_at = CURRENT_TIMESTAMP WHERE profile_id = NEW.profile_id;
END;
