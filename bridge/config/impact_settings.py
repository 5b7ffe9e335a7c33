"""Config of the weighted impact score (docs/impact.md): what an affected organization is worth,
and what a bad satisfaction rating, an agent's reply and an hour to resolution add."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Points = float


class ImpactSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The organization field (its key in Zendesk's `organization_fields`) that says what a
    # customer is worth, e.g. `plan` (a drop-down) or `annual_revenue` (a number).
    organization_field: str | None = Field(default=None, min_length=1)
    organization_values: dict[str, Points] = {}  # a text value (case ignored) -> points
    organization_multiplier: Points = Field(default=0, ge=0)  # a number field: its value times this
    organization_default: Points = Field(default=1, ge=0)  # an organization without a listed value
    bad_rating_weight: Points = Field(default=5, ge=0)  # per affected ticket rated bad
    reply_weight: Points = Field(default=0.5, ge=0)  # per public agent reply on the affected tickets
    resolution_hour_weight: Points = Field(default=0.1, ge=0)  # per hour to full resolution
    # Read again this often while the problem is open (ratings and replies come after the tickets).
    refresh_seconds: float = Field(default=3600, ge=1)

    def digest(self) -> str:
        """What a score computed under these settings remembers: a stored score with another
        digest was weighed differently and is read again (`refresh_seconds` changes no score)."""
        weights = self.model_dump(exclude={"refresh_seconds"})
        return hashlib.sha256(json.dumps(weights, sort_keys=True).encode()).hexdigest()[:16]

    @field_validator("organization_values")
    @classmethod
    def _case_folded(cls, values: dict[str, Points]) -> dict[str, Points]:
        for name, points in values.items():
            if points < 0:
                raise ValueError(f"{name}: points must be 0 or more")
        return {name.casefold(): points for name, points in values.items()}

    @model_validator(mode="after")
    def _values_need_a_field(self) -> ImpactSettings:
        if (self.organization_values or self.organization_multiplier) and self.organization_field is None:
            raise ValueError("organization_values and organization_multiplier need organization_field")
        return self
