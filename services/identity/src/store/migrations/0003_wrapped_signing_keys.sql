-- private signing keys are kept wrapped (AES-256-GCM under IDENTITY_KEY_ENCRYPTION_KEY); the service wraps
-- the rows of earlier versions (private_jwk) on its next start and clears them
alter table signing_keys add column private_key_wrapped text;
alter table signing_keys alter column private_jwk drop not null;
alter table signing_keys add constraint signing_keys_private_half
  check (private_jwk is not null or private_key_wrapped is not null);
