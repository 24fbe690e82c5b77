"""Public-benefit ideas (公益金点子): rules, the review process, and the export."""

from services.ideas.rules import IdeaInputError, IdeaRefused, PhotoOffer
from services.ideas.service import IdeaRules, IdeaService, StatusChange

__all__ = ["IdeaInputError", "IdeaRefused", "IdeaRules", "IdeaService", "PhotoOffer",
           "StatusChange"]
