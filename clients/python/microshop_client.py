#!/usr/bin/env python3
"""A microshop client in Python, made from packages/contracts/proto alone.

It generates its stubs at run time (grpc_tools.protoc into a temporary directory), then, over mutual TLS,
lists products (catalog), signs up and in (identity), places an order (orders) and follows it until
payment settles it. Each step prints one JSON line on stdout.

Needs Debian's python3-grpcio and python3-grpc-tools (run it with /usr/bin/python3). The certificate it
presents must be one the call policy (packages/contracts/src/policy.ts) admits for these RPCs: the
gateway's, since this client stands where the gateway stands, at the edge; every user-facing RPC still
needs the user's own access token, checked by each service.

  /usr/bin/python3 clients/python/microshop_client.py --tls-dir .microshop/tls/gateway \\
      --catalog 127.0.0.1:PORT --identity 127.0.0.1:PORT --orders 127.0.0.1:PORT
"""

import argparse
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid

import grpc
import grpc_tools
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_ROOT = os.path.join(HERE, "..", "..", "packages", "contracts", "proto")
SETTLED = {"ORDER_STATUS_CONFIRMED", "ORDER_STATUS_SHIPPED", "ORDER_STATUS_DELIVERED", "ORDER_STATUS_CANCELLED"}
# proto3 `optional` is a oneof of one field named `_<field>` on the wire and in descriptors: the same
# message for a protoc too old to know the keyword (Debian's grpc_tools bundles libprotoc 3.5)
OPTIONAL_FIELD = re.compile(r"^(\s*)optional\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;", re.MULTILINE)


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def generate_stubs(proto_root, out_dir):
    """Compiles every .proto under proto_root into out_dir; returns the protoc arguments' file list."""
    src = os.path.join(out_dir, "proto")
    shutil.copytree(proto_root, src)
    files = sorted(
        os.path.relpath(os.path.join(d, f), src) for d, _, names in os.walk(src) for f in names if f.endswith(".proto")
    )
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")

    def compile_all():
        args = ["protoc", f"-I{src}", f"-I{include}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}"]
        return protoc.main(args + files)

    if compile_all() != 0:
        for name in files:
            path = os.path.join(src, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            rewritten = OPTIONAL_FIELD.sub(r"\1oneof _\3 { \2 \3 = \4; }", text)
            if rewritten != text:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(rewritten)
        print("protoc predates proto3 `optional`: compiled those fields as their one-field oneofs", file=sys.stderr)
        if compile_all() != 0:
            raise SystemExit("protoc could not compile the contracts")
    sys.path.insert(0, out_dir)


def stubs(module):
    return importlib.import_module(f"microshop.{module}_pb2"), importlib.import_module(f"microshop.{module}_pb2_grpc")


def channel(address, server_name, credentials):
    # the servers' certificates name the service (DNS:catalog), not the address it is reached at
    options = [("grpc.ssl_target_name_override", server_name), ("grpc.default_authority", server_name)]
    return grpc.secure_channel(address, credentials, options=options)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proto-root", default=DEFAULT_PROTO_ROOT)
    parser.add_argument("--tls-dir", required=True, help="ca.crt, tls.crt, tls.key of the identity to call as")
    parser.add_argument("--catalog", required=True, help="host:port of catalog's gRPC")
    parser.add_argument("--identity", required=True, help="host:port of identity's gRPC")
    parser.add_argument("--orders", required=True, help="host:port of orders' gRPC")
    parser.add_argument("--email", help="the buyer to sign up (a new one by default)")
    parser.add_argument("--password", help="the buyer's password (a new one by default)")
    parser.add_argument("--card", default="4242424242424242")
    parser.add_argument("--quantity", type=int, default=1)
    parser.add_argument("--wait-seconds", type=float, default=60.0, help="how long to follow the order")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="microshop-py-")
    try:
        generate_stubs(os.path.abspath(args.proto_root), work)
        return run(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args):
    catalog_pb2, catalog_grpc = stubs("catalog.v1.catalog")
    common_pb2, _ = stubs("common.v1.common")
    order_pb2, _ = stubs("common.v1.order")
    identity_pb2, identity_grpc = stubs("identity.v1.identity")
    orders_pb2, orders_grpc = stubs("orders.v1.orders")

    def read(name):
        with open(os.path.join(args.tls_dir, name), "rb") as f:
            return f.read()

    credentials = grpc.ssl_channel_credentials(
        root_certificates=read("ca.crt"), private_key=read("tls.key"), certificate_chain=read("tls.crt")
    )
    catalog = catalog_grpc.CatalogServiceStub(channel(args.catalog, "catalog", credentials))
    identity = identity_grpc.IdentityServiceStub(channel(args.identity, "identity", credentials))
    orders = orders_grpc.OrdersServiceStub(channel(args.orders, "orders", credentials))

    listed = catalog.ListProducts(
        catalog_pb2.ListProductsRequest(
            page=common_pb2.PageRequest(page_size=5), sort=catalog_pb2.PRODUCT_SORT_PRICE_ASC
        ),
        timeout=10,
    )
    emit(
        "products",
        items=[
            {"id": p.id, "name": p.name, "price": {"amount": p.price.amount, "currency": p.price.currency}}
            for p in listed.products
        ],
    )
    if not listed.products:
        raise SystemExit("the catalog listed no products")

    email = args.email or f"python-{uuid.uuid4().hex[:12]}@example.com"
    password = args.password or "a-long-enough-pass-" + uuid.uuid4().hex[:8]
    identity.Register(identity_pb2.RegisterRequest(email=email, password=password, name="Py Thon"), timeout=10)
    login = identity.Login(identity_pb2.LoginRequest(email=email, password=password), timeout=10)
    emit("signed_in", email=email, userId=login.user.id)
    auth = (("authorization", f"Bearer {login.tokens.access_token}"),)

    product = listed.products[0]
    placed = orders.PlaceOrder(
        orders_pb2.PlaceOrderRequest(
            idempotency_key=str(uuid.uuid4()),
            lines=[orders_pb2.PlaceOrderLine(product_id=product.id, quantity=args.quantity)],
            shipping_address=order_pb2.ShippingAddress(
                name="Py Thon", line1="1 Main St", city="Springfield", postal_code="12345", country="US"
            ),
            payment=orders_pb2.PaymentMethod(
                card=orders_pb2.Card(number=args.card, exp_month=12, exp_year=2035, cvc="123")
            ),
        ),
        metadata=auth,
        timeout=10,
    )
    status = orders_pb2.OrderStatus.Name(placed.status)
    emit("order_placed", orderId=placed.order_id, status=status, productId=product.id)

    # the saga settles the order asynchronously (payments consumes OrderCreated): follow it to an outcome
    deadline = time.monotonic() + args.wait_seconds
    while status not in SETTLED and time.monotonic() < deadline:
        time.sleep(0.2)
        order = orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id), metadata=auth, timeout=10)
        status = orders_pb2.OrderStatus.Name(order.order.status)
    emit("order_settled" if status in SETTLED else "order_unsettled", orderId=placed.order_id, status=status)
    return 0 if status in SETTLED else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as err:
        emit("rpc_failed", code=err.code().name, details=err.details())
        sys.exit(2)
