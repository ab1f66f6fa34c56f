-- Migration: v004_add_voice_profiles
-- Version:   4
-- Purpose:   Add voice_profiles for speech recognition (asr) and
--            text-to-speech (tts) model configurations, with indexes and an
--            updated_at trigger. MariaDB dialect (10.11); see v001 for why
--            indexed strings are VARCHAR(255) and the collation is binary.

CREATE TABLE IF NOT EXISTS voice_profiles (
    profile_id          VARCHAR(255) PRIMARY KEY NOT NULL,
    voice_profile_name  VARCHAR(255) NOT NULL UNIQUE,
    voice_model_type    VARCHAR(255) NOT NULL CHECK (voice_model_type IN ('asr', 'tts')),
    voice_model_name    TEXT NOT NULL,
    encrypted_api_key   TEXT,
    voice_meta_params   JSON,                         -- JSON object, e.g. {"language": "zh", "voice": "alloy"}
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_used_at        DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX IF NOT EXISTS idx_voice_profiles_name   ON voice_profiles(voice_profile_name);
CREATE INDEX IF NOT EXISTS idx_voice_profiles_type   ON voice_profiles(voice_model_type);
CREATE INDEX IF NOT EXISTS idx_voice_profiles_active ON voice_profiles(is_active);

CREATE TRIGGER IF NOT EXISTS update_voice_profiles_updated_at
BEFORE UPDATE ON voice_profiles
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);
