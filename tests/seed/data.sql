-- The SinapUm team's Chatwoot after some use: an account, its agents and the super admin who did the onboarding in the
-- browser, an inbox, conversations and messages (with the accents the team writes), sign-up opened. Loaded once,
-- after the seed's db:chatwoot_prepare; the tests fingerprint every table before and after.
BEGIN;
INSERT INTO accounts (name, locale, domain, support_email, created_at, updated_at)
  VALUES ('SinapUm', 12, 'sinapum.example', 'suporte@sinapum.example', now(), now());
-- uid is the email, as Chatwoot's User#set_password_and_uid sets it (app/models/user.rb; (uid, provider) is unique).
INSERT INTO users (email, uid, name, display_name, encrypted_password, type, confirmed_at, created_at, updated_at)
  SELECT email, email, name, display_name, encrypted_password, type, now(), now(), now() FROM (VALUES
    ('admin@sinapum.example', 'Administração SinapUm', 'Admin', '$2a$11$seedseedseedseedseedseO', 'SuperAdmin'),
    ('ana@sinapum.example', 'Ana Conceição', 'Ana', '$2a$11$seedseedseedseedseedseA', NULL),
    ('joao@sinapum.example', 'João Araújo', 'João', '$2a$11$seedseedseedseedseedseJ', NULL))
  AS u (email, name, display_name, encrypted_password, type);
INSERT INTO account_users (account_id, user_id, role, created_at, updated_at)
  SELECT 1, id, CASE WHEN type = 'SuperAdmin' THEN 1 ELSE 0 END, now(), now() FROM users;
INSERT INTO inboxes (account_id, name, channel_type, created_at, updated_at)
  VALUES (1, 'WhatsApp (Evolution API)', 'Channel::Api', now(), now());
INSERT INTO conversations (account_id, inbox_id, display_id, status, created_at, updated_at)
  SELECT 1, 1, g, g % 3, now() - g * interval '1 hour', now() FROM generate_series(1, 60) AS g;
INSERT INTO messages (account_id, conversation_id, content, message_type, created_at, updated_at)
  SELECT 1, 1 + g % 60, 'Olá! Mensagem nº ' || g || ': não consigo concluir o pedido, você pode ajudar?', g % 2,
         now() - g * interval '1 minute', now()
  FROM generate_series(1, 600) AS g;
-- Sign-up opened in the super admin console (a row of installation_configs, where Chatwoot reads it; the value
-- db:chatwoot_prepare seeded, turned from false to true in the YAML Chatwoot's model keeps there).
UPDATE installation_configs SET serialized_value = to_jsonb(replace(serialized_value #>> '{}', 'value: false', 'value: true'))
  WHERE name = 'ENABLE_ACCOUNT_SIGNUP';
COMMIT;
