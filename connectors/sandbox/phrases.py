"""What customers write, in the four languages Webcare serves: data for the demo and the sandbox.

Each topic has sentences per language with placeholders filled by ``compose``.
The topics follow what web care teams really get: outages, bills, moving house,
TV, sales questions, praise, personal data posted in public, abuse and threats,
and reminders from people who waited too long.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LANGUAGES = ("nl", "fr", "en", "da")

PLACES = {
    "nl": ["Gent", "Antwerpen", "Leuven", "Brugge", "Hasselt", "Mechelen", "Aalst", "Kortrijk"],
    "fr": ["Liège", "Namur", "Charleroi", "Mons", "Bruxelles", "Wavre", "Arlon", "Tournai"],
    "en": ["Brussels", "Antwerp", "Ghent", "Leuven", "Zaventem", "Waterloo"],
    "da": ["Aarhus", "Odense", "Aalborg", "Esbjerg", "Roskilde", "Vejle", "København"],
}
NAMES = {
    "nl": ["Sofie Peeters", "Jens Maes", "Lotte Jacobs", "Wout Willems", "Nina Claes", "Pieter Goossens", "Eline Wouters"],
    "fr": ["Camille Dubois", "Julien Lambert", "Manon Dupont", "Thomas Leclercq", "Léa Martin", "Hugo Renard"],
    "en": ["Sarah Kelly", "Tom Baker", "Priya Shah", "Mark O'Neill", "Emma Clarke"],
    "da": ["Mette Nielsen", "Rasmus Jensen", "Freja Hansen", "Mads Pedersen", "Ida Christensen", "Lars Sørensen"],
}

TOPICS: dict[str, dict[str, list[str]]] = {
    "outage": {
        "nl": [
            "Al {days} dagen geen internet in {place}. Wanneer wordt dit opgelost?",
            "Is er een storing in {place}? Mijn modem knippert rood sinds vanochtend.",
            "Weer geen tv en geen internet. Ik werk van thuis, dit kan echt niet.",
            "Mijn wifi valt om het half uur weg, al een week lang. Wat is er aan de hand?",
            "Storing in {place}? Hele straat zit zonder internet sinds {hours} uur.",
        ],
        "fr": [
            "Pas d'internet depuis {days} jours à {place}. Quand est-ce que ce sera réparé ?",
            "Il y a une panne à {place} ? Mon modem clignote en rouge depuis ce matin.",
            "Encore une coupure ! Je télétravaille, c'est inadmissible.",
            "Ma connexion saute toutes les demi-heures depuis une semaine. Que se passe-t-il ?",
        ],
        "en": [
            "No internet for {days} days now in {place}. When will this be fixed?",
            "Is there an outage in {place}? My modem has been blinking red all morning.",
            "Wifi drops every 30 minutes for a week now. What is going on?",
        ],
        "da": [
            "Intet internet i {days} dage i {place}. Hvornår bliver det løst?",
            "Er der nedbrud i {place}? Mit modem blinker rødt siden i morges.",
            "Igen ingen forbindelse. Jeg arbejder hjemmefra, det går bare ikke.",
            "Mit wifi falder ud hver halve time, i en uge nu. Hvad sker der?",
        ],
    },
    "billing": {
        "nl": [
            "Waarom is mijn factuur deze maand {amount} euro hoger? Ik heb niets veranderd.",
            "Ik betaal al {months} maanden te veel voor een promo die nooit is toegepast.",
            "Dubbel gedomicilieerd deze maand. Wie betaalt mij dat terug?",
        ],
        "fr": [
            "Pourquoi ma facture a-t-elle augmenté de {amount} euros ce mois-ci ?",
            "La promo qu'on m'a promise n'a jamais été appliquée, ça fait {months} mois.",
            "Prélevé deux fois ce mois-ci. Qui va me rembourser ?",
        ],
        "en": [
            "Why is my bill {amount} euros higher this month? I didn't change anything.",
            "Charged twice this month. How do I get my money back?",
        ],
        "da": [
            "Hvorfor er min regning {amount} kr. højere denne måned? Jeg har ikke ændret noget.",
            "Jeg er blevet trukket to gange denne måned. Hvem betaler mig tilbage?",
        ],
    },
    "moving": {
        "nl": [
            "Ik verhuis volgende maand naar {place}. Hoe neem ik mijn abonnement mee?",
            "Verhuisd sinds {days} dagen en nog altijd geen technieker gezien.",
        ],
        "fr": [
            "Je déménage à {place} le mois prochain. Comment transférer mon abonnement ?",
            "Déménagé depuis {days} jours et toujours pas de technicien.",
        ],
        "en": ["Moving to {place} next month, how do I take my subscription with me?"],
        "da": [
            "Jeg flytter til {place} næste måned. Hvordan tager jeg mit abonnement med?",
            "Flyttet for {days} dage siden og stadig ingen tekniker.",
        ],
    },
    "tv": {
        "nl": [
            "Waarom zijn de sportzenders weg uit mijn pakket? Niemand heeft dat gemeld.",
            "De decoder hangt elke avond bij het opstarten. Herstarten helpt niet.",
        ],
        "fr": ["Pourquoi les chaînes de sport ont-elles disparu de mon bouquet ?"],
        "en": ["Why did the sports channels disappear from my package without notice?"],
        "da": ["Hvorfor er sportskanalerne forsvundet fra min pakke?"],
    },
    "sales": {
        "nl": [
            "Is de zomerpromo ook geldig voor bestaande klanten?",
            "Hoeveel kost glasvezel in {place}? Ik overweeg over te stappen.",
        ],
        "fr": [
            "La promo d'été est-elle aussi valable pour les clients existants ?",
            "Combien coûte la fibre à {place} ? J'envisage de changer d'opérateur.",
        ],
        "en": ["Is the summer deal also for existing customers?", "What does fibre cost in {place}?"],
        "da": ["Gælder sommertilbuddet også for eksisterende kunder?", "Hvad koster fiber i {place}?"],
    },
    "praise": {
        "nl": [
            "Dikke merci aan de technieker van vandaag, super vriendelijk en snel geholpen!",
            "Eindelijk opgelost, bedankt voor de snelle hulp gisteren.",
        ],
        "fr": ["Un grand merci au technicien passé aujourd'hui, rapide et très sympa !"],
        "en": ["Huge thanks to the engineer today, friendly and quick. Great service!"],
        "da": ["Tusind tak til teknikeren i dag, venlig og hurtig hjælp!"],
    },
    "personal_data": {
        "nl": [
            "Bel me gewoon terug op {phone}, ik ben het beu om te wachten.",
            "Mijn klantnummer is {customer}, adres {street} in {place}. Kan iemand kijken?",
            "Stuur de factuur naar {email} aub, de vorige is nooit aangekomen.",
        ],
        "fr": [
            "Rappelez-moi au {phone}, j'en ai assez d'attendre.",
            "Mon numéro client est le {customer}. Pouvez-vous vérifier ?",
        ],
        "en": ["Just call me back on {phone}, I'm done waiting.", "Send it to {email} please."],
        "da": ["Ring til mig på {phone_dk}, jeg gider ikke vente mere.", "Send det til {email}."],
    },
    "abuse": {
        "nl": [
            "Stelletje idioten zijn jullie. Incompetente bende.",
            "Als er morgen niks gebeurt kom ik naar jullie winkel en dan zal je wat meemaken.",
        ],
        "fr": ["Bande d'incapables, vous êtes vraiment des abrutis.", "Si rien ne bouge demain, je viens au magasin et ça va mal finir."],
        "en": ["You are a bunch of useless idiots.", "Fix it by tomorrow or I will come to your shop and you'll regret it."],
        "da": ["I er nogle idioter allesammen.", "Hvis intet sker i morgen, kommer jeg forbi butikken, og så skal I se."],
    },
    "reminder": {
        "nl": ["Nog altijd geen antwoord? Al {days} dagen aan het wachten.", "Hallo?? Iemand daar?"],
        "fr": ["Toujours pas de réponse ? J'attends depuis {days} jours."],
        "en": ["Still no answer? Waiting {days} days now."],
        "da": ["Stadig intet svar? Jeg har ventet i {days} dage."],
    },
}

#: How often each topic turns up on a normal day (the storm scenario overrides this).
NORMAL_DAY_WEIGHTS = {
    "outage": 22,
    "billing": 14,
    "moving": 8,
    "tv": 8,
    "sales": 10,
    "praise": 10,
    "personal_data": 10,
    "abuse": 6,
    "reminder": 6,
}

MARKETING_POSTS = {
    "nl": [
        "☀️ Zomerpromo: 3 maanden gratis glasvezel voor nieuwe klanten!",
        "Nieuw: onbeperkt 5G in heel België. Ontdek het in onze winkels.",
    ],
    "fr": ["☀️ Promo d'été : 3 mois de fibre offerts aux nouveaux clients !", "Nouveau : 5G illimitée partout en Belgique."],
    "en": ["☀️ Summer deal: 3 months of free fibre for new customers!"],
    "da": ["☀️ Sommertilbud: 3 måneder gratis fiber til nye kunder!", "Nyt: ubegrænset 5G i hele Danmark."],
}


@dataclass(frozen=True)
class Phrase:
    topic: str
    language: str
    text: str
    author_name: str


def compose(rng: random.Random, *, language: str, topic: str | None = None) -> Phrase:
    """A customer message in ``language``, on ``topic`` or one drawn by the normal-day weights."""
    if topic is None:
        topic = rng.choices(list(NORMAL_DAY_WEIGHTS), weights=list(NORMAL_DAY_WEIGHTS.values()))[0]
    templates = TOPICS[topic].get(language) or TOPICS[topic]["en"]
    values = {
        "place": rng.choice(PLACES[language]),
        "days": rng.randint(2, 9),
        "hours": rng.randint(2, 14),
        "months": rng.randint(2, 6),
        "amount": rng.randint(8, 60),
        "phone": f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "phone_dk": f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "email": f"{rng.choice(['sofie', 'jens', 'camille', 'mette'])}.{rng.randint(10, 99)}@example.com",
        "customer": f"{rng.randint(100_000_000, 999_999_999)}",
        "street": rng.choice(["Kerkstraat 12", "Rue de la Station 4", "Stationsplein 7"]),
    }
    return Phrase(
        topic=topic,
        language=language,
        text=rng.choice(templates).format(**values),
        author_name=rng.choice(NAMES[language]),
    )
