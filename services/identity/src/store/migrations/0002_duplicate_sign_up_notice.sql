-- when the owner was last told that someone tried to sign up with their email: at most one notice a day
alter table users add column duplicate_sign_up_noticed_at timestamptz;
