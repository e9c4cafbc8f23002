"""The code of conduct and privacy pages: agents' partials, leads' review, the contact page."""
