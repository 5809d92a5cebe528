create table users (
  id uuid primary key,
  email text not null unique check (email = lower(email)),
  name text not null,
  password_hash text not null,
  roles text[] not null default '{customer}',
  status text not null default 'active' check (status in ('active', 'blocked')),
  addresses jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- a family is one sign-in: every token rotated from it, revoked together
create table refresh_families (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);

create index refresh_families_user_idx on refresh_families (user_id);

-- only the SHA-256 of a refresh token is kept: a leaked table holds nothing that signs in
create table refresh_tokens (
  id uuid primary key,
  family_id uuid not null references refresh_families (id) on delete cascade,
  token_hash bytea not null unique,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);

create index refresh_tokens_family_idx on refresh_tokens (family_id);
create index refresh_tokens_expires_idx on refresh_tokens (expires_at);

create table login_failures (
  email text primary key,
  failures int not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

create table signing_keys (
  kid text primary key,
  public_jwk jsonb not null,
  private_jwk jsonb not null,
  created_at timestamptz not null,
  retired_at timestamptz
);

-- replicas must agree: at most one key signs at a time
create unique index signing_keys_one_active on signing_keys ((true)) where retired_at is null;
