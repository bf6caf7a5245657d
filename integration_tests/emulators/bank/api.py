"""The bank's /v2 endpoints (after faults, limits and authentication have been applied)."""

from __future__ import annotations

import random
import re
import threading
from collections import OrderedDict
from typing import Callable

from . import listing, render
from .dataset import Attachment, BankDataset, Transaction
from .listing import QueryError
from .server import Request, Response, json_response

UrlFor = Callable[[Attachment], str]
ErrorFor = Callable[..., Response]   # (status, code, detail, parameter=None)

_CACHE_SIZE = 32
_ROUTES = [
    ("GET", re.compile(r"^/v2/organization/?$"), "organization"),
    ("GET", re.compile(r"^/v2/bank_accounts/?$"), "bank_accounts"),
    ("GET", re.compile(r"^/v2/bank_accounts/(?P<id>[^/]+)$"), "bank_account"),
    ("GET", re.compile(r"^/v2/transactions/?$"), "transactions"),
    ("GET", re.compile(r"^/v2/transactions/(?P<id>[^/]+)$"), "transaction"),
    ("GET", re.compile(r"^/v2/transactions/(?P<id>[^/]+)/attachments/?$"), "transaction_attachments"),
    ("DELETE", re.compile(r"^/v2/transactions/(?P<id>[^/]+)/attachments/?$"), "delete_attachments"),
    ("DELETE", re.compile(r"^/v2/transactions/(?P<id>[^/]+)/attachments/(?P<att>[^/]+)$"),
     "delete_attachment"),
    ("GET", re.compile(r"^/v2/attachments/(?P<id>[^/]+)$"), "attachment"),
]


def text_not_found() -> Response:
    """The transactions endpoints answer 404 with a text/plain single space."""
    return Response(404, b" ", content_type="text/plain; charset=utf-8")


class BankApi:
    def __init__(self, dataset: BankDataset, url_for: UrlFor, error: ErrorFor,
                 pagination: str = "both", status_filter: str = "multi", bounds: str = "inclusive",
                 precision: str = "ms", tie_order: str = "stable", reversed_filter: str = "listed") -> None:
        if pagination not in ("page", "current_page", "both"):
            raise ValueError("pagination must be 'page', 'current_page' or 'both'")
        if status_filter not in ("multi", "single"):
            raise ValueError("status_filter must be 'multi' or 'single'")
        if reversed_filter not in ("listed", "rejected"):
            raise ValueError("reversed_filter must be 'listed' or 'rejected'")
        self.reversed_filter = reversed_filter
        if bounds not in ("inclusive", "exclusive") or precision not in ("ms", "us") or tie_order not in ("stable", "shuffled"):
            raise ValueError("bounds: inclusive|exclusive, precision: ms|us, tie_order: stable|shuffled")
        self.exclusive = bounds == "exclusive"
        self.micro = precision == "us"
        self.shuffled = tie_order == "shuffled"
        self._rng = random.Random(7)
        self.ds = dataset
        self.url_for = url_for
        self.error = error
        self.pagination = pagination
        self.status_filter = status_filter
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        for method, pattern, name in _ROUTES:
            match = pattern.match(request.path)
            if match and method == request.method:
                try:
                    with self.ds.lock:
                        return getattr(self, name)(request, **match.groupdict())
                except QueryError as exc:
                    return self._query_error(exc)
        return self.error(404, "not_found", "Not found")

    def _query_error(self, exc: QueryError) -> Response:
        return json_response(exc.status, exc.body)

    # -- organization and accounts -----------------------------------------------------------
    def organization(self, request: Request) -> Response:
        external = (listing.first(request.query, "include_external_accounts") or "").lower() == "true"
        return json_response(200, {"organization": render.organization(self.ds, external)})

    def bank_accounts(self, request: Request) -> Response:
        page = listing.page_number(request.query, self.pagination)
        rows, meta = listing.paginate(list(self.ds.accounts.values()), page, listing.per_page(request.query))
        org = self.ds.organization
        return json_response(200, {"bank_accounts": [render.bank_account(a, org) for a in rows], "meta": meta})

    def bank_account(self, request: Request, id: str) -> Response:
        account = self.ds.accounts.get(id)
        if account is None:
            return self.error(404, "not_found", "Bank account not found")
        return json_response(200, {"bank_account": render.bank_account(account, self.ds.organization)})

    # -- transactions --------------------------------------------------------------------------
    def transactions(self, request: Request) -> Response:
        query = request.query
        account_id = listing.first(query, "bank_account_id") or None
        iban = listing.first(query, "iban") or None
        if account_id is None and iban is None:
            return json_response(422, {"errors": [{"code": "missing",
                                                   "detail": "bank_account_id or iban is missing"}]})
        account = self.ds.accounts.get(account_id) if account_id else self.ds.account_by_iban(iban or "")
        if account is None:
            return text_not_found()
        flt = listing.transaction_filter(query, self.status_filter, self.reversed_filter)
        page = listing.page_number(query, self.pagination)
        size = listing.per_page(query)
        selected = self._selected(account.id, flt)
        if self.shuffled:
            selected = listing.shuffle_ties(selected, flt.sort_field, self._rng)
        rows, meta = listing.paginate(selected, page, size)
        includes = set(query.get("includes[]", []))
        body = [render.transaction(t, self.ds, includes, self.url_for, micro=self.micro) for t in rows]
        response = json_response(200, {"transactions": body, "meta": meta})
        response.row_ids = tuple(t.id for t in rows)
        return response

    def _selected(self, account_id: str, flt: listing.TransactionFilter) -> list[Transaction]:
        # Pages of one listing share the filtered, sorted rows until the dataset changes.
        key = (account_id, flt)
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit and hit[0] == self.ds.version:
                self._cache.move_to_end(key)
                return hit[1]
        rows = listing.select(self.ds.account_transactions(account_id), flt, self.exclusive, self.micro)
        with self._cache_lock:
            self._cache[key] = (self.ds.version, rows)
            self._cache.move_to_end(key)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return rows

    def transaction(self, request: Request, id: str) -> Response:
        txn = self.ds.transactions.get(id)
        if txn is None:
            return text_not_found()
        includes = set(request.query.get("includes[]", []))
        return json_response(200, {"transaction": render.transaction(txn, self.ds, includes, self.url_for, micro=self.micro)})

    # -- attachments ----------------------------------------------------------------------------
    def _transaction_not_found(self) -> Response:
        return self.error(404, "not_found", "Transaction not found", parameter="id")

    def transaction_attachments(self, request: Request, id: str) -> Response:
        txn = self.ds.transactions.get(id)
        if txn is None:
            return self._transaction_not_found()
        items = [render.attachment(a, self.url_for) for a in self.ds.attachments_of(txn)]
        return json_response(200, {"attachments": items})

    def delete_attachments(self, request: Request, id: str) -> Response:
        txn = self.ds.transactions.get(id)
        if txn is None:
            return self._transaction_not_found()
        for attachment_id in list(txn.attachment_ids):
            self.ds.remove_attachment(id, attachment_id)
        return Response(200, b"")

    def delete_attachment(self, request: Request, id: str, att: str) -> Response:
        txn = self.ds.transactions.get(id)
        if txn is None or att not in txn.attachment_ids:
            return self._transaction_not_found()
        self.ds.remove_attachment(id, att)
        return Response(200, b"")

    def attachment(self, request: Request, id: str) -> Response:
        att = self.ds.attachments.get(id)
        if att is None:
            return self.error(404, "not_found", "Attachment not found", parameter="id")
        return json_response(200, {"attachment": render.attachment(att, self.url_for)})
