"""Placeholder blueprint 'memento' (being written)."""

from flask import Blueprint

bp = Blueprint("memento", __name__)
