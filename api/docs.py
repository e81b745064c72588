"""Placeholder blueprint 'docs' (being written)."""

from flask import Blueprint

bp = Blueprint("docs", __name__)
