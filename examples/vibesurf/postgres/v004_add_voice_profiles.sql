-- Migration: v004_add_voice_profiles
-- Version:   4
-- Purpose:   Add voice_profiles for speech recognition (asr) and
--            text-to-speech (tts) model configurations, with indexes and an
--            updated_at trigger. PostgreSQL dialect; set_updated_at() is
--            created in v001.

CREATE TABLE IF NOT EXISTS voice_profiles (
    profile_id          TEXT PRIMARY KEY NOT NULL,
    voice_profile_name  TEXT NOT NULL UNIQUE,
    voice_model_type    TEXT NOT NULL CHECK (voice_model_type IN ('asr', 'tts')),
    voice_model_name    TEXT NOT NULL,
    encrypted_api_key   TEXT,
    voice_meta_params   JSONB,                        -- JSON object, e.g. {"language": "zh", "voice": "alloy"}
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at        TIMESTAMPTZ
);

CREATE INDEX IF NOT EXISTS idx_voice_profiles_name   ON voice_profiles(voice_profile_name);
CREATE INDEX IF NOT EXISTS idx_voice_profiles_type   ON voice_profiles(voice_model_type);
CREATE INDEX IF NOT EXISTS idx_voice_profiles_active ON voice_profiles(is_active);

DROP TRIGGER IF EXISTS update_voice_profiles_updated_at ON voice_profiles;
CREATE TRIGGER update_voice_profiles_updated_at
BEFORE UPDATE ON voice_profiles
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();
