"""The OpenAPI 3.0 description of the JSON API v1 (kept next to the routes it describes)."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


ERRORS = {
    "400": _error("Malformed JSON, missing CSRF token or wrong body shape"),
    "404": _error("Unknown, or someone else's, assessment; also any endpoint the account's role may not use"),
    "413": _error("Body larger than 256 KB"),
}
UNAUTHORIZED = _error("Not logged in (log in with POST /session); a JSON error, never a redirect")
ASSESSMENT_ID = {"name": "assessment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CSRF = {
    "name": "X-CSRFToken",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "The csrf_token from GET /api/v1/session",
}

TEXT = {
    "type": "object",
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "required": ["zh", "en"],
}
ANSWER_VALUE = {
    "description": (
        "single/scene: option value; multi: list of option values ([] = none); number/percent: number; "
        'boolean: true/false; text: string; "na" where allows_na; null clears the answer'
    ),
    "nullable": True,
    "oneOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
    ],
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": True,  # an empty value (an empty select of the dashboard form) means no filter
        "schema": schema,
        "description": f"{description}; empty = no filter",
    }


STATS_PARAMETERS = [
    _query(
        "district", {"type": "string"}, "Chinese district name; a district official always gets their own"
    ),
    _query("industry", {"type": "string"}, "GB/T 4754 division, 34 or C34"),
    _query("size", {"type": "string", "enum": ["large", "medium", "small", "micro"]}, "Size class"),
    _query("above_designated_size", {"type": "boolean"}, "规上 (true) or not (false)"),
    _query("round", {"type": "integer"}, "Round year; default the newest round"),
]
BREAKDOWN = {"type": "array", "items": {"type": "object"}}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
        "additionalProperties": True,
    },
    "Text": TEXT,
    "User": {
        "type": "object",
        "nullable": True,
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "role": {"type": "string", "enum": ["enterprise", "official", "admin", "auditor"]},
            "enterprises": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
            },
        },
    },
    "Session": {
        "type": "object",
        "properties": {"csrf_token": {"type": "string"}, "user": _ref("User")},
        "required": ["csrf_token", "user"],
    },
    "Question": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "dimension": {"type": "string", "nullable": True},
            "type": {
                "type": "string",
                "enum": ["single", "multi", "number", "percent", "boolean", "scene", "text"],
            },
            "required": {"type": "boolean"},
            "allows_na": {"type": "boolean"},
            "show_if": {"type": "object", "nullable": True, "description": "condition tree (FORMAT.md)"},
            "title": TEXT,
            "help": {**TEXT, "nullable": True},
            "definition": {**TEXT, "nullable": True},
            "options": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string"},
                        "label": TEXT,
                        "exclusive": {"type": "boolean"},
                    },
                },
            },
            "min": {"type": "number", "nullable": True},
            "max": {"type": "number", "nullable": True},
        },
        "required": ["id", "type", "required", "allows_na", "title", "options"],
    },
    "Questionnaire": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "version": {"type": "string"},
            "title": TEXT,
            "dimensions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "name": TEXT, "weight": {"type": "number"}},
                },
            },
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "title": TEXT,
                        "questions": {"type": "array", "items": _ref("Question")},
                    },
                },
            },
        },
        "required": ["id", "version", "dimensions", "sections"],
    },
    "AssessmentRef": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "version": {"type": "integer"},
            "status": {"type": "string", "enum": ["draft", "submitted", "returned", "verified"]},
        },
        "required": ["id", "version", "status"],
    },
    "Assessment": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["draft", "submitted", "returned", "verified"]},
            "version": {"type": "integer"},
            "questionnaire": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
            },
            "answers": {"type": "object", "additionalProperties": ANSWER_VALUE},
            "carried_over": {"type": "array", "items": {"type": "string"}},
            "return_comment": {"type": "string", "nullable": True},
        },
        "required": ["id", "status", "version", "questionnaire", "answers"],
    },
    "AnswersUpdate": {
        "type": "object",
        "properties": {
            "version": {"type": "integer", "minimum": 0},
            "answers": {"type": "object", "additionalProperties": ANSWER_VALUE, "maxProperties": 500},
        },
        "required": ["version", "answers"],
    },
    "Stats": {
        "type": "object",
        "description": "The dashboard's aggregates; the same effective filters give the same body whoever asks",
        "properties": {
            "filters": {
                "type": "object",
                "description": "The effective filters (the official's scope included), echoed",
                "properties": {
                    "district": {"type": "string", "nullable": True},
                    "industry": {"type": "string", "nullable": True},
                    "size": {"type": "string", "nullable": True},
                    "above_designated_size": {"type": "boolean", "nullable": True},
                    "round": {"type": "integer", "nullable": True},
                },
            },
            "counts": {
                "type": "object",
                "properties": {
                    **{
                        name: {"type": "number"}
                        for name in (
                            "registered",
                            "drafts",
                            "submitted",
                            "verified",
                            "assessed",
                            "registered_above",
                            "assessed_above",
                        )
                    },
                    "above_coverage": {
                        "type": "number",
                        "nullable": True,
                        "description": "percent of registered 规上 enterprises assessed; null when there are none",
                    },
                },
            },
            "levels": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": 'assessed enterprises per level, {"1": n, ..., "5": n}',
            },
            "mean_score": {"type": "number", "nullable": True},
            "median_score": {"type": "number", "nullable": True},
            "dimension_means": {"type": "object"},
            "by_district": BREAKDOWN,
            "by_industry": BREAKDOWN,
            "by_size": BREAKDOWN,
            "by_above_designated_size": BREAKDOWN,
            "trend": {**BREAKDOWN, "description": "per round"},
            "targets": {
                **BREAKDOWN,
                "description": "plan targets: value, deadline, baseline, rule, candidates, verified, recognised",
            },
        },
        "required": ["filters", "counts", "levels", "by_district", "trend", "targets"],
    },
    "Result": {
        "type": "object",
        "description": "The stored scoring result: levels, dimensions, indicators, flags, recommendations, explanation",
        "properties": {
            "overall_score": {"type": "number", "nullable": True},
            "level": {"type": "object"},
            "dimensions": {"type": "array", "items": {"type": "object"}},
            "indicators": {"type": "object"},
            "plan_flags": {"type": "object"},
            "recommendations": {"type": "array", "items": {"type": "object"}},
            "warnings": {"type": "array", "items": {"type": "object"}},
            "result_hash": {"type": "string"},
        },
    },
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0.3 document served at /api/v1/openapi.json."""
    document = _document()
    for operations in document["paths"].values():
        for operation in operations.values():
            if operation.get("security") != []:  # needs the session cookie
                operation["responses"].setdefault("401", UNAUTHORIZED)
    return document


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Ezhou digital maturity self-assessment API",
            "version": "1",
            "description": (
                "Session cookie authentication. Get a CSRF token with GET /api/v1/session and send it in the "
                'X-CSRFToken header on every POST, PUT and DELETE. Errors are {"error": message}.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
        "security": [{"session": []}],
        "paths": {
            "/session": {
                "get": {
                    "summary": "CSRF token and current user",
                    "security": [],
                    "responses": {"200": _json(_ref("Session"), "Token and user (null when anonymous)")},
                },
                "post": {
                    "summary": "Log in",
                    "security": [],
                    "parameters": [CSRF],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "username": {"type": "string", "minLength": 1, "maxLength": 64},
                                        "password": {"type": "string", "minLength": 1, "maxLength": 256},
                                    },
                                    "required": ["username", "password"],
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_ref("Session"), "Logged in; a new CSRF token"),
                        "403": _error("Wrong credentials or locked account"),
                        "422": _error("Missing fields"),
                        **ERRORS,
                    },
                },
                "delete": {
                    "summary": "Log out",
                    "parameters": [CSRF],
                    "responses": {"200": _json(_ref("Session"), "Logged out"), "400": ERRORS["400"]},
                },
            },
            "/questionnaires/current": {
                "get": {
                    "summary": "The published questionnaire (zh + en)",
                    "responses": {"200": _json(_ref("Questionnaire"), "The definition")},
                }
            },
            "/questionnaires/{questionnaire_id}/{version}": {
                "get": {
                    "summary": "A questionnaire version (for drafts and results on an older version)",
                    "parameters": [
                        {
                            "name": "questionnaire_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _json(_ref("Questionnaire"), "The definition"),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/assessments": {
                "post": {
                    "summary": "Create (or return) the open round's draft",
                    "parameters": [CSRF],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "enterprise_id": {
                                            "type": "integer",
                                            "nullable": True,
                                            "description": "needed only when the user belongs to several",
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_ref("AssessmentRef"), "The existing draft of the open round"),
                        "201": _json(_ref("AssessmentRef"), "A new draft"),
                        "409": _error("No round is open"),
                        "422": _error("Wrong types"),
                        **ERRORS,
                    },
                }
            },
            "/assessments/{assessment_id}": {
                "get": {
                    "summary": "An assessment with its answers",
                    "parameters": [ASSESSMENT_ID],
                    "responses": {"200": _json(_ref("Assessment"), "The assessment"), "404": ERRORS["404"]},
                }
            },
            "/assessments/{assessment_id}/answers": {
                "put": {
                    "summary": "Save answers (partial update merges; optimistic locking per question)",
                    "parameters": [ASSESSMENT_ID, CSRF],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("AnswersUpdate")}},
                    },
                    "responses": {
                        "200": _json(
                            {"type": "object", "properties": {"version": {"type": "integer"}}},
                            "Saved; new version",
                        ),
                        "409": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "version": {"type": "integer"},
                                    "answers": {"type": "object", "additionalProperties": ANSWER_VALUE},
                                    "conflicts": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                            "A question in the request changed since the client's version, or not editable",
                        ),
                        "422": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "errors": {"type": "object", "additionalProperties": TEXT},
                                },
                            },
                            "Values that do not fit (message per question id, zh and en)",
                        ),
                        **ERRORS,
                    },
                }
            },
            "/assessments/{assessment_id}/submit": {
                "post": {
                    "summary": "Validate, score and submit (idempotent)",
                    "parameters": [
                        ASSESSMENT_ID,
                        CSRF,
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "A retried request with the same key submits once",
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "pledge": {
                                            "type": "boolean",
                                            "description": "the truthfulness pledge; must be true",
                                        }
                                    },
                                    "required": ["pledge"],
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {"type": "object", "properties": {"result": _ref("Result")}},
                            "Submitted (or already submitted): the result",
                        ),
                        "422": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "missing": {"type": "array", "items": {"type": "string"}},
                                    "pledge_required": {"type": "boolean"},
                                },
                            },
                            "Required answers missing or pledge not given",
                        ),
                        "409": _error("The assessment's round is closed"),
                        **ERRORS,
                    },
                }
            },
            "/assessments/{assessment_id}/result": {
                "get": {
                    "summary": "The scored result",
                    "parameters": [ASSESSMENT_ID],
                    "responses": {
                        "200": _json(
                            {"type": "object", "properties": {"result": _ref("Result")}}, "The stored result"
                        ),
                        "409": _error("Not submitted yet"),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/stats": {
                "get": {
                    "summary": "The officials' dashboard aggregates, scoped and filtered like the pages",
                    "description": "Officials (their district) and admins (every district); other roles get 404.",
                    "parameters": STATS_PARAMETERS,
                    "responses": {
                        "200": _json(_ref("Stats"), "The aggregates"),
                        "400": _error("An unknown industry or size, or a round that is not a year"),
                        "404": _error(
                            "Another district than the official's, an unknown district or round, "
                            "or a role that may not read statistics"
                        ),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.0 document"}},
                }
            },
        },
    }
