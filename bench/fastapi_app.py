"""The reference for `make bench`: the same engine on the same snapshot, served by FastAPI.

It is written the way a FastAPI developer would write it (a Pydantic request
model, a plain JSON response) so that the comparison measures the frameworks
and servers, not a handicapped copy.
"""

import json
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from comparisons.engine import (
    InvalidInput,
    recommend,
    result_to_dict,
    snapshot_from_dict,
    validate_input,
)

SNAPSHOT = snapshot_from_dict(json.loads(Path(os.environ["BENCH_SNAPSHOT"]).read_text()))

app = FastAPI(title="Stackfit engine on FastAPI (benchmark reference)")


class RecommendationRequest(BaseModel):
    answers: dict[str, str | list[str]] = {}
    weights: dict[str, float] = {}


# async def: the work is a short pure computation with no blocking I/O, so
# FastAPI runs it on the event loop without a thread hop (its fastest path).
@app.post("/api/v1/recommendations/")
async def recommendations(body: RecommendationRequest):
    try:
        answers, weights = validate_input(SNAPSHOT, body.answers, body.weights)
    except InvalidInput as error:
        return JSONResponse(error.errors, status_code=400)
    result = result_to_dict(recommend(SNAPSHOT, answers, weights))
    result["fingerprint"] = SNAPSHOT.fingerprint
    return result
