create table carts (
  id uuid primary key default gen_random_uuid(),
  user_id text unique,
  -- SHA-256 of the anonymous cart's token: the token itself is never stored
  token_hash bytea unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint carts_one_owner check ((user_id is null) <> (token_hash is null))
);

create index carts_anonymous_expiry_idx on carts (updated_at) where user_id is null;

create table cart_lines (
  cart_id uuid not null references carts (id) on delete cascade,
  product_id text not null,
  quantity int not null check (quantity > 0),
  added_at timestamptz not null default now(),
  primary key (cart_id, product_id)
);
