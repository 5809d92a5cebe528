-- what TokenizeCard keeps of a card: never the number, never the CVC
create table card_tokens (
  token text primary key,
  brand text not null,
  bin text not null,
  last4 text not null,
  exp_month int not null,
  exp_year int not null,
  country text not null,
  -- how the simulated provider answers for this card (DESIGN's test cards)
  behaviour text not null check (behaviour in ('approve', 'decline', 'slow')),
  created_at timestamptz not null default now()
);

-- one payment per order, whatever is redelivered
create table payments (
  id uuid primary key,
  order_id text not null unique,
  user_id text not null,
  email text not null,
  amount bigint not null,
  currency text not null,
  card_token text not null,
  shipping_country text not null,
  method text not null default '',
  status text not null check (status in ('PENDING', 'CAPTURED', 'FAILED', 'REFUNDED')),
  fraud_score int,
  fraud_decision text,
  fraud_source text check (fraud_source in ('fraud', 'fallback')),
  -- the provider's answer, recorded before the payment is settled: a retry never charges again
  provider_outcome text check (provider_outcome in ('captured', 'declined')),
  provider_reference text,
  failure_code text not null default '',
  failure_reason text not null default '',
  refunded_amount bigint not null default 0,
  -- the worker settling it holds it until then; a crashed worker's claim runs out
  claimed_until timestamptz,
  attempts int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index payments_pending_idx on payments (created_at) where status = 'PENDING';

-- the simulated provider's own book: one charge per idempotency key (the payment id)
create table provider_charges (
  idempotency_key text primary key,
  reference text not null unique,
  outcome text not null check (outcome in ('captured', 'declined')),
  amount bigint not null,
  currency text not null,
  created_at timestamptz not null default now()
);

-- the OrderCancelled events payments heard: a capture on one of these orders is refunded
create table order_cancellations (
  order_id text primary key,
  reason text not null,
  event_id text not null,
  cancelled_at timestamptz not null default now()
);

create table ledger_accounts (
  code text primary key,
  description text not null
);

insert into ledger_accounts (code, description) values
  ('customer_funds', 'money collected from customers, held at the payment provider'),
  ('merchant_revenue', 'captured sales'),
  ('refunds', 'money given back to customers');

-- a double-entry transaction: at most one capture and one refund per payment
create table ledger_transactions (
  id uuid primary key,
  payment_id uuid not null references payments (id),
  order_id text not null,
  kind text not null check (kind in ('capture', 'refund')),
  created_at timestamptz not null default now(),
  unique (payment_id, kind)
);

create table ledger_entries (
  id bigint generated always as identity primary key,
  transaction_id uuid not null references ledger_transactions (id),
  account text not null references ledger_accounts (code),
  direction text not null check (direction in ('debit', 'credit')),
  amount bigint not null check (amount > 0),
  currency text not null
);

create index ledger_entries_transaction_idx on ledger_entries (transaction_id);
