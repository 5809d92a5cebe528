-- the event store: each order is the stream of its events; (stream_id, version) unique = optimistic concurrency
create table order_events (
  seq bigint generated always as identity,
  stream_id uuid not null,
  version int not null check (version > 0),
  type text not null,
  data jsonb not null,
  recorded_at timestamptz not null default now(),
  primary key (stream_id, version)
);

create index order_events_seq_idx on order_events (seq);

-- facts reported by other services that did not fit the order's status (kept for the audit trail)
create table ignored_reactions (
  event_id text primary key,
  order_id text not null,
  type text not null,
  reason text not null,
  recorded_at timestamptz not null default now()
);

-- PlaceOrder's Idempotency-Key per user: claimed first (in flight), completed with the response in the order's transaction
create table idempotency_keys (
  user_id text not null,
  key text not null,
  fingerprint text not null,
  -- the attempt holding the key: only it may complete or release it
  claim_id uuid not null,
  state text not null check (state in ('in_flight', 'completed')),
  response jsonb,
  claimed_until timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);

create index idempotency_keys_created_idx on idempotency_keys (created_at);

-- read models (CQRS), written only by the projector from the order events
create table order_summaries (
  order_id uuid primary key,
  user_id text not null,
  status text not null,
  total_amount bigint not null,
  currency text not null,
  item_count int not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  version int not null
);

create index order_summaries_user_idx on order_summaries (user_id, created_at desc, order_id desc);

create table sales_daily (
  day date not null,
  product_id text not null,
  quantity int not null,
  revenue_amount bigint not null,
  currency text not null,
  primary key (day, product_id)
);

create table sales_orders_daily (
  day date primary key,
  orders_confirmed int not null,
  orders_cancelled int not null
);
