"""Placeholder blueprint 'page' (being written)."""

from flask import Blueprint

bp = Blueprint("page", __name__)
