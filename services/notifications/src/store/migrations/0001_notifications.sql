create table messages (
  seq bigint generated always as identity unique,
  id uuid primary key,
  -- the event that caused the message: one message per event and channel, whatever is redelivered
  event_id text not null,
  event_type text not null,
  channel text not null check (channel in ('email', 'sms')),
  user_id text not null,
  order_id text not null default '',
  recipient text not null,
  subject text not null,
  body text not null,
  smtp_message_id text,
  -- pending: an email waiting for SMTP; sent; stored: an SMS, kept only; failed: nowhere to send it
  status text not null check (status in ('pending', 'sent', 'stored', 'failed')),
  attempts int not null default 0,
  last_error text,
  next_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (event_id, channel)
);

create index messages_user_idx on messages (user_id, seq desc);
create index messages_order_idx on messages (order_id, seq desc) where order_id <> '';
create index messages_pending_idx on messages (next_attempt_at) where status = 'pending';

-- what later events of an order do not carry: the phone to text when it ships
create table order_contacts (
  order_id text primary key,
  phone text not null
);
