-- a token made with a user's access token is theirs: only an order of that user is charged with it
alter table card_tokens add column user_id text;

-- payments' own blocklist refuses a card before fraud is asked: a third source of a fraud decision
alter table payments drop constraint payments_fraud_source_check;
alter table payments add constraint payments_fraud_source_check
  check (fraud_source in ('fraud', 'fallback', 'blocklist'));
