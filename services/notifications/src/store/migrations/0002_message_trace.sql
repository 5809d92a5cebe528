-- the trace of the change an email tells of: its SMTP send continues that trace
alter table messages add column traceparent text;
