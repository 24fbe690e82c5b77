"""Issue 15's services on a case's way through the duty roster, grouped for the wiring:
fallbacks per category, declining offers, the rating follow-ups, the sample staff read and
the expert's own desk."""

from __future__ import annotations

from dataclasses import dataclass

from services.hotline.case_sample import CaseSample
from services.hotline.expert_desk import ExpertDesk
from services.hotline.fallback import CategoryFallbacks
from services.hotline.offer_decline import OfferDeclines
from services.hotline.rating_notices import RatingNotices


@dataclass(frozen=True, slots=True)
class DutyCases:
    fallbacks: CategoryFallbacks
    declines: OfferDeclines
    ratings: RatingNotices
    sample: CaseSample
    desk: ExpertDesk
