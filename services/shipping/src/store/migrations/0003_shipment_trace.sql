-- the W3C traceparent of the work that created the shipment (the order's confirmation): the carrier's later
-- steps continue that trace, so an order's whole life, delivery included, is one trace
alter table shipments add column traceparent text;
