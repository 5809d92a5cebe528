-- an order heavier than one parcel ships as several: one shipment per parcel, numbered from 1
alter table shipments add column parcel_number int not null default 1 check (parcel_number >= 1);
alter table shipments add column parcel_count int not null default 1;
alter table shipments add constraint shipments_parcel_in_count check (parcel_number <= parcel_count);
alter table shipments drop constraint shipments_order_id_key;
alter table shipments add constraint shipments_order_parcel_key unique (order_id, parcel_number);
