"""Placeholder blueprint 'ld' (being written)."""

from flask import Blueprint

bp = Blueprint("ld", __name__)
