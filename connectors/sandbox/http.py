"""Small HTTP vocabulary shared by the sandbox's API layers: requests, replies, errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None

    @classmethod
    def build(cls, method: str, path: str, raw_query: str, headers: dict[str, str], body: bytes) -> Request:
        query = {key: values[-1] for key, values in parse_qs(raw_query, keep_blank_values=True).items()}
        request = cls(method=method.upper(), path=path, query=query, headers=headers, body=body)
        content_type = headers.get("content-type", "")
        if body and "json" in content_type:
            try:
                request.json = json.loads(body)
            except ValueError:
                request.json = None
        elif body and "x-www-form-urlencoded" in content_type:
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            request.form = {key: values[-1] for key, values in fields.items()}
        return request

    def param(self, name: str, default: str = "") -> str:
        """A parameter from the query, the form body or a JSON body (Graph accepts all three)."""
        if name in self.form:
            return self.form[name]
        if isinstance(self.json, dict) and name in self.json:
            value = self.json[name]
            return value if isinstance(value, str) else json.dumps(value)
        return self.query.get(name, default)


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode(), JSON, dict(headers or {}))

    @classmethod
    def html(cls, status: int, text: str) -> Reply:
        return cls(status, text.encode(), HTML, {})


class ApiError(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply
