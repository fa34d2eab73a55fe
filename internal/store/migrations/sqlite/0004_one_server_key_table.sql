-- One table of server keys: the reminder unsubscribe key moves from
-- server_secrets (0002) into server_keys (0003), which the cursor signing
-- key already uses, keeping its value so links already emailed stay valid.
INSERT INTO server_keys (name, secret, created_at)
SELECT name, secret, created_at FROM server_secrets WHERE true
ON CONFLICT (name) DO NOTHING;
DROP TABLE server_secrets;
