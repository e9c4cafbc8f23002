"""The built-in lexicons and rules of the abuse classifier (phrase language: see abuse.compile_expression).

Read a rule as a sentence with holes: ``i|we ~3 kill ~1 you|him`` is "I or we,
then up to three words, then kill, then at most one word, then you or him".
Words are normalised like customer text (accents, leetspeak and doubled letters
removed), so they are written here in their ordinary spelling.

What counts as what (the corpus follows the same guide, tests/fixtures/abuse/README.md):
a threat needs intent or a wish of harm aimed at people or premises, not violent
words ("killer deal", "this is killing me"); an insult is name-calling aimed at
people, not swearing ("fuck, down again") or harsh criticism of the service
("service de merde"); hate attacks people for their origin, colour, religion or
sexual orientation. Exceptions blank out reported or self-directed insults and
figures of speech before the rules of their class look at the text.

Rules run on every text whatever its detected language (short posts are often
detected wrongly and customers switch language); the few words that mean
something harmless in another of our languages carry their language and run only
on texts of it.
"""

from __future__ import annotations

from inbox.detection.abuse import HATE, INSULT, THREAT, Rule


def _join(*groups: str) -> str:
    return "|".join(group.strip("|") for group in groups if group)


# --- Word groups used in several rules -------------------------------------------------

EN_TARGET = ("you|u|ya|yall|y'all|ye|him|her|them|everyone|everybody|every*|all_of_you|your|ur|staff|technician*|"
             "engineer*|agent*|employee*|manager*|ceo|boss*|people|somebody|someone|whoever|anyone|workers|guy|guys")
EN_PLACE = ("shop*|store*|office*|place|building*|hq|headquarters|house|van|vans|car|cars|premises|branch*|"
            "call_centre|call_center|callcentre|callcenter|centre|center|warehouse|booth|kiosk|company")
NL_PERSON_PRONOUN = "je|jou|jij|u|jullie|hem|haar|ze|iedereen|allemaal|gij|ge|hen"
NL_PERSON = ("technieker*|monteur*|medewerker*|medewerkster*|agent*|manager*|baas|bazen|directeur*|ceo|verkoper*|"
             "verkoopster*|kerel|gast|gasten|mannen|mens|mensen|eerste|bediende*|personeel|helpdesk|callcenter|"
             "baliemedewerker*|klantendienst")
NL_PLACE = ("winkel*|shop*|kantoor|kantoren|gebouw*|zaak|filiaal|filialen|hoofdkantoor|callcenter|busje*|bus|auto|"
            "autos|auto's|wagen*|camionette*|huis|agentschap|boetiek|hoofdzetel|zetel|bureau|bureaus|vestiging*")
FR_PRONOUN = "te|t|vous|le|la|l|les|lui|leur"
FR_PLACE = ("boutique*|magasin*|agence*|siege|sieges|bureau*|local|locaux|batiment*|camionnette*|voiture*|maison|"
            "centre|call_center|succursale*|shop|entrepot|immeuble")
DA_OBJECT = "dig|jer|ham|hende|dem|alle|allesammen|alle_sammen"
DA_PERSON = ("tekniker*|medarbejder*|chef*|saelger*|sælger*|direktør*|direktor*|folk|personale*|kundeservice|"
             "montør*|montor*|ansatte|mand|fyr|fyre")
DA_PLACE = "butik*|kontor*|bil|biler|forretning*|hus|hovedkontor|lokaler|bygning*|varevogn*|afdeling*"

EN_GROUP = ("muslims|muslim|moslems|jews|jew|blacks|arabs|immigrants|immigrant|foreigners|refugees|migrants|"
            "moroccans|turks|poles|romanians|africans|asians|gays|homosexuals|lesbians|trannies|gypsies|roma|"
            "pakistanis|mexicans|latinos")
NL_GROUP = ("moslims|moslim|muzelmannen|joden|jood|zwarten|marokkanen|marokkaan|turken|allochtonen|allochtoon|"
            "buitenlanders|buitenlander|vreemdelingen|migranten|vluchtelingen|asielzoekers|polen|roemenen|"
            "afrikanen|aziaten|chinezen|homo's|homos|homo|lesbiennes|transgenders|zigeuners|arabieren")
FR_GROUP = ("musulmans|musulman|juifs|juif|les_noirs|des_noirs|arabes|arabe|maghrebins|etrangers|etranger|"
            "immigres|immigre|migrants|refugies|homos|homosexuels|gitans|roms|africains|turcs|marocains|"
            "algeriens|bougnoules|negres")
DA_GROUP = ("muslimer|muslim|jøder|jøde|jøderne|sorte_mennesker|sorte_folk|arabere|araber|udlændinge|"
            "udlænding|udlændingene|indvandrere|indvandrer|flygtninge|perkere|tyrkere|polakker|rumænere|"
            "afrikanere|asiater|bøsser|bøsserne|homoer|homoseksuelle")
ALL_GROUPS = _join(EN_GROUP, NL_GROUP, FR_GROUP, DA_GROUP)

# Slurs: hateful whatever the context (a few tied to their language, see the module docstring).
SLURS = {
    "en": "nigger*|nigga*|niggaz|paki|pakis|kike*|faggot*|fags|tranny|trannies|spic|spics|wetback*|raghead*|"
          "towelhead*|sandnigger*|darkie*|gook*|beaner*|wog|wogs|dothead*|chinks",
    "nl": "makak*|makakken|kutmarokka*|kankermarokka*|tyfusmarokka*|rotmarokka*|geitenneuker*|neger|negers|"
          "nikker*|zwartjes|zwartje|bruintje*|flikker|flikkers|kankerjo*|rotjo*|kankerturk*|kutturk*|"
          "spleetog*|bosneger*|rotbuitenlander*|kutbuitenlander*|kankerbuitenlander*|mocro's",
    "fr": "bougnoul*|bicot*|negre|negres|negro|negros|youpin*|youtre*|bamboula*|pede|pedes|pedale|pedales|"
          "tapette*|tarlouze*|gouine*|chinetoque*|chintok*|niakoue*|sale_race|bicots",
    "da": "perker*|neger|negere|negerne|sortsmækker*|muhamedaner*|bøssekarl*|bøsserøv*|jødesvin|kamelknepper*",
}

# --- Threats ------------------------------------------------------------------------------

_THREAT_EN = [
    f"i|we|gonna|imma ~3 kill|murder|stab|shoot|strangle|slaughter|behead|butcher|beat|punch|slap|hurt|attack|"
    f"batter|knife|choke|strangle|maim|shank ~1 {EN_TARGET}",
    f"i|we|gonna|imma ~3 burn*|torch*|bomb|blow_up|smash*|wreck*|trash*|firebomb*|destroy* ~2 your|ur|the|that|this|"
    f"those|every|all ~1 {EN_PLACE}|window*",
    "someone|somebody|should|ought_to|needs_to|need_to ~2 shoot|kill|stab|murder|burn_down|bomb|torch|beat_up|"
    "blow_up|hang|lynch|firebomb",
    "brick|bricks|rock|rocks|stone|stones ~3 through ~1 your|ur|the|their ~1 window*",
    f"burn|torch ~1 your|ur|the|that ~2 {EN_PLACE} ~2 down|to_the_ground",
    f"set_fire_to|set_alight ~2 {EN_PLACE}",
    f"set ~1 your|ur|the|that ~1 {EN_PLACE} ~1 on_fire|alight",
    f"blow ~1 your|ur|the|that ~2 {EN_PLACE} ~1 up",
    f"bomb|bombs|explosive*|grenade*|pipe_bomb ~3 in|under|at|into|inside|outside ~2 your|ur|the|that ~1 {EN_PLACE}",
    "plant|place|put|leave ~2 a_bomb|bombs|explosives",
    "know|knows|find_out|found_out|finding_out|find|found ~1 where ~2 you|u|ya|he|she|they|your|ur ~2 live*|work*|"
    "lives|sleep*|kids|family|children|house|home",
    "watch|mind your|their|his|her|yer back|backs",
    "won't|wont|won|will_not|never|not ~1 see_it_coming|see_this_coming|know_what_hit",
    "i'll|i_will|we'll|we_will|gonna|going_to ~1 hunt|track ~1 you|u|ya|yall|y'all|them|him ~1 down",
    "i'll_find|i_will_find|we'll_find|gonna_find|i'm_coming_for|im_coming_for|coming_for you|u|ya|yall|y'all",
    "put|send ~1 you|him|her|them|your|ur ~2 in|into|to ~1 hospital|the_hospital|a_wheelchair|the_ground|the_grave|"
    "a_coffin|a_body_bag|intensive_care",
    "beat|kick|knock ~1 the_shit|the_crap|the_hell|the_living_daylights|seven_bells ~1 out_of",
    "kick|beat|smash|break|bash|punch ~1 your|ur|his|her|yer|their ~1 ass|arse|head|heads|face|faces|teeth|skull|"
    "legs|neck",
    "hope|wish|pray ~3 you|u|yall|y'all|they|he|she|your|ur|all|everyone|every ~3 die|dies|burn|rot|choke|drown|"
    "get_cancer|get_hit|suffer_and_die|burn_to_death",
    "die|burn|rot ~1 in_a_fire|in_hell|to_death|slowly",
    "you're|you_are|youre|ur|yall ~1 dead|dead_meat|a_dead_man|dead_men|going_to_die|gonna_die",
    "kys|kill_yourself|kill_urself|kill_yourselves|killyourself|killurself|killyourselves|go_die|go_and_die|"
    "drop_dead",
    "i'll|i_will|we'll|we_will ~1 be_waiting ~2 outside|for_you",
    "coming|come|show_up|turn_up|visit|bring|bringing ~6 with|and_bring|bringing ~2 gun|guns|knife|knives|bat|axe|"
    "machete|shotgun|crowbar|hammer|baseball_bat|rifle|weapon*|petrol|gasoline|molotov",
    "i'll|i_will|we'll ~1 make|see ~1 you|u|yall|y'all ~1 pay|bleed|suffer|regret_being_born",
    "you'll|you_will|youll|yall'll ~1 pay_for_this_in_blood|bleed|be_sorry_you_were_born|regret_being_born",
    # Turning up at the premises, then a consequence: "I'll come to your shop and you'll regret it".
    f"come|coming|show_up|turn_up|pay_a_visit|be_at|visit ~3 {EN_PLACE} ~5 regret_it|regret_this|be_sorry|"
    f"see_what_happens|"
    f"you'll_see|won't_forget|wont_forget|learn_your_lesson",
]
_THREAT_NL = [
    "ik|we|wij|k|ga|gaan|zal|zullen ~4 vermoord*|afmaken|doodmaken|doodslaan|doodschieten|doodsteken|neersteken|"
    "neerschieten|neerknallen|afslachten|opblazen|platbranden|afbranden|in_elkaar_slaan|"
    "in_elkaar_timmeren|in_elkaar_trappen|in_brand_steken|in_de_fik_steken|overhoop_schieten|de_kop_inslaan|"
    "kop_inslaan|opknopen|afrekenen|neerknallen|koud_maken",
    # Smashing things up is a threat against people and premises, not against one's own modem.
    f"ga|gaan|zal|zullen ~1 {NL_PERSON_PRONOUN} ~0 kapotslaan|kapotmaken|kapot_slaan|kapot_maken|slopen",
    f"ga|gaan|zal|zullen ~1 die|de|uw|jullie|je|dat|het ~1 {NL_PERSON}|{NL_PLACE} ~2 kapotslaan|kapotmaken|"
    f"kapot_slaan|kapot_maken|slopen",
    f"maak|sla|steek|schiet|knal|timmer|trap|stamp ik|we|wij ~1 {NL_PERSON_PRONOUN}|die|de|uw|jullie ~2 af|dood|neer|"
    f"kapot|overhoop|in_elkaar|de_kop_in|kop_in|in_mekaar|lens",
    "zal|ga|gaan|zullen ~1 je|jou|jullie|u|hem|haar ~1 vinden|opzoeken|pakken|te_pakken_krijgen",
    "ben|bent|zijn|zijt je|jij|jullie|ge|gij|u ~1 dood|eraan|er_geweest",
    "steen|stenen|baksteen|kassei|kasseien|tegel ~3 door|in ~1 de|jullie|uw|het|je ~1 ruit|ruiten|raam|ramen|"
    "etalage|vitrine|voorruit",
    f"ik|we|wij|k ~1 maak|sla|steek|schiet|knal|mep|timmer|trap|slaan|stamp ~1 {NL_PERSON_PRONOUN} ~3 af|dood|neer|"
    f"kapot|overhoop|verrot|in_elkaar|lens|de_kop_in|kop_in|het_ziekenhuis_in|tegen_de_grond|koud|in_mekaar",
    f"ik|we|wij|k ~1 maak|sla|steek|schiet|knal|timmer|trap ~1 die|dat|de|uw|jullie|je|jouw|elke|iedere ~1 "
    f"{NL_PERSON} ~4 af|dood|neer|kapot|overhoop|in_elkaar|de_kop_in|kop_in|in_mekaar",
    "sla|slaan|slaat|timmer|trap|schop ~6 kop|smoel|bek|hersens|tanden|hoofd|harses|gezicht ~1 in|eruit|kapot|"
    "dicht|tot_moes",
    f"ik|we|wij|k ~3 steek|steken|zet|zetten|blaas|blazen|sloop|slopen|brand|gooi|fik|jaag ~3 {NL_PLACE} ~4 "
    f"in_brand|in_de_fik|op|plat|kapot|in_de_lucht|aan_gruzelementen|in_elkaar|overhoop",
    f"in_brand|in_de_fik ~1 steken|zetten|steek ~3 {NL_PLACE}",
    f"bom|bommen|explosieven|granaat|granaten ~3 in|onder|bij|op|aan|voor ~2 jullie|uw|de|je|het|die|dat ~1 "
    f"{NL_PLACE}",
    "weet|weten|ken ~1 waar ~3 woont|wonen|woon|werkt|werken|slaapt|slapen|kinderen|kinders|huis|adres",
    "jullie|je|u|gij|ge|jij ~1 gaan|gaat|ga|zijn|bent|zijt ~1 eraan|dood|er_geweest|eraan_onderdoor",
    "dan|anders|of ~2 zal|zult|zullen|zulde|gaat|gaan ~2 je|jullie|u|ge|gij|jij ~2 wat|iets ~1 meemaken|beleven",
    "zal|zult|zullen|gaan|gaat ~2 je|jullie|u|ge|gij ~1 het ~1 geweten_hebben|voelen|bezuren|berouwen",
    "niet_navertellen|het_niet_navertellen|niet_meer_navertellen",
    f"kom|komen|langs|sta|staan|passeer ~4 {NL_PLACE} ~6 spijt|berouwen|zien_wat_er_gebeurt|zal_je_zien|"
    f"zullen_jullie_zien|vergeet_je_nooit|geweten_hebben",
    "kom|komen|kom_ik|komt|langs|passeer|binnen|sta|staan|wacht|wachten|sta_ik ~6 met ~2 bijl|mes|messen|knuppel|"
    "honkbalknuppel|pistool|geweer|"
    "wapen|wapens|jerrycan|molotov|hamer|koevoet|benzine|vuurwerkbom",
    "hopelijk|hoop_dat|ik_hoop|wens|hoop ~4 crepeer*|creperen|sterf|sterven|sterft|doodgaan|dood_gaan|doodvalt|"
    "verrek*|kapotgaan|verbranden|verbrand|verdrinken|stikken|stikt|kanker_krijgen|de_kanker_krijgt|"
    "onder_een_bus|onder_een_trein",
    "krijg|krijgen|krijgt ~2 de_kogel|een_kogel|kogel|een_mes|een_pak_slaag|klop|een_rammeling|slaag",
    "ik|we|wij ~1 vind|vinden|krijg|pak ~1 je|jou|jullie|u|hem|haar ~1 wel|nog|te_pakken",
]
_THREAT_FR = [
    f"je|j|on|nous|moi|ja ~2 vais|va|vas|allons|veux|viens|compte|peux|vai|jvais ~2 {FR_PRONOUN} ~1 tuer|buter|"
    f"crever|defoncer|massacrer|egorger|frapper|cogner|planter|flinguer|etrangler|tabasser|degommer|"
    f"faire_la_peau|casser_la_gueule|peter_la_gueule|refaire_le_portrait|saigner|eventrer|fumer|allumer|"
    f"eclater|buter|descendre",
    "je|j|on|nous|ja ~2 vais|va|vas|allons|veux|viens ~2 te|t|vous ~1 retrouver|trouver|faire_payer|faire_regretter",
    "je|j|on|nous|ja ~2 vais|va|vas|allons|veux|viens ~1 tuer|buter|defoncer|massacrer|egorger|frapper|cogner|"
    "planter|flinguer|etrangler|tabasser|degommer|descendre|saigner ~1 votre|ton|ta|vos|ce|cette|le|la|les|tous|"
    "toute ~1 technicien*|conseiller*|conseillere*|vendeur*|vendeuse*|gerant*|patron*|employe*|agent*|livreur*|"
    "directeur*|chef*|responsable*|boss|monde|equipe|personnel|gars|type|mec",
    "je|j|on|nous ~2 vais|va|allons|veux ~1 tout_casser|tout_peter|tout_defoncer|tout_saccager|tout_cramer|"
    "tout_bruler|tout_faire_sauter",
    "pave|paves|pierre|pierres|brique|briques ~3 dans|a_travers|par ~1 la|votre|vos|leur|leurs ~1 vitrine*|"
    "fenetre*|vitre*",
    "je|j|on ~1 te|t|vous|lui|leur ~1 retrouverai|retrouvera|trouverai|aurai|tuerai|buterai|defoncerai|"
    "ferai_la_peau|ferai_payer|crever|tue|bute|defonce|egorge|plante",
    "je|j|on ~2 te|t|vous|lui|leur ~1 casse|pete|defonce|eclate|explose|fracasse|refais|arrache ~2 la_gueule|"
    "la_tete|le_crane|les_dents|la_figure|le_nez|les_jambes|le_portrait",
    "casser|peter|defoncer|eclater|exploser ~2 la_gueule|la_tete|le_crane|les_dents|la_figure",
    "je|j|on|nous ~4 foutre|mettre|fous|mets|fouterai|mettrai ~1 le_feu",
    f"incendier|bruler|cramer|faire_sauter|faire_exploser|plastiquer|saccager|defoncer|casser|demolir|bruler ~3 "
    f"votre|vos|ta|ton|la|le|l|cette|ce|leur|leurs ~1 {FR_PLACE}",
    "je|j|on ~2 casse|casserai|pete|peterai|defonce|defoncerai|saccage|saccagerai|crame|cramerai ~1 tout",
    f"bombe|bombes|explosif*|grenade* ~3 dans|sous|devant ~2 votre|vos|ta|ton|la|le|l|cette|ce ~1 {FR_PLACE}",
    "sais|savons|connais|connait|sait ~1 ou ~3 habite*|vit|vis|vivez|vivent|travaille*|bosse*|dors|dort|dormez|"
    "loge*|enfants|gosses|famille|maison",
    "ca_va|ca ~1 mal|tres_mal|mal_se|tres_mal_se ~1 finir|terminer|passer",
    f"viens|viendrai|passe|passerai|debarque|debarquerai|venir|arrive ~4 {FR_PLACE} ~6 regretter|"
    f"vous_allez_voir|tu_vas_voir|verrez|souviendrez",
    "vous_allez|tu_vas|vous_aller ~1 le_payer|morfler|souffrir|prendre_cher|douiller|voir_ce_que|saigner",
    "faites|fais|faite ~1 gaffe|attention ~1 a|a_vous|a_toi|a_tes_fesses|a_vos_fesses ~1 vous|toi|fesses",
    "gare_a_vous|gare_a_toi|gare_a_vos_fesses|gare_a_tes_fesses",
    "viens|viendrai|passe|passerai|debarque|debarquerai|venir|arrive|arriverai|repasse ~6 avec ~2 couteau|"
    "flingue|arme|batte|fusil|hache|machette|pistolet|kalach*|essence|barre_de_fer|marteau|cocktail_molotov",
    "j_espere|espere|souhaite|j_souhaite|esperons ~5 creve*|crever|mourr*|meur*|mourir|cramer|brul*|"
    "cancer|chopper_le_cancer|attrapiez_le_cancer",
    "allez|va|vas|aller|allez_tous ~1 crever|mourir|vous_faire_tuer|te_faire_tuer",
    "crevez|creve_charogne|crevez_tous",
    "tu_es|t_es|vous_etes|t ~1 mort|morts|un_homme_mort|des_hommes_morts",
]
_THREAT_DA = [
    f"jeg|vi|ja|jg ~2 slår|slaar|skyder|stikker|tæsker|banker|sparker|smider ~2 {DA_OBJECT}|jeres|din|dit ~2 ihjel|"
    f"ned|halvt_ihjel|til_plukfisk|i_hovedet|i_smadder|på_hospitalet",
    f"jeg|vi|ja|jg ~2 dræber|draeber|myrder|kvæler|tæsker|banker|gennembanker|smadrer|slagter|skyder|stikker|"
    f"knivstikker ~1 {DA_OBJECT}|jeres|din|dit|den|de|det_hele|alt|hele ~1 {DA_PERSON}|{DA_PLACE}|hele|lortet",
    f"jeg|vi|ja|jg ~2 dræber|draeber|myrder|kvæler|tæsker|banker|gennembanker|knivstikker|skyder|stikker ~1 "
    f"{DA_OBJECT}",
    f"smadrer|brænder|dræber|slår|tæsker|banker|skyder|sprænger|knivstikker|myrder jeg|vi ~1 {DA_OBJECT}|"
    f"{DA_PLACE}|jeres ~2 ihjel|ned|i_luften|i_stykker|{DA_PLACE}|{DA_PERSON}",
    "sten|brosten|mursten ~3 gennem|ind_gennem|ind_ad|igennem ~1 jeres|ruden|vinduet|vinduerne|din|dit ~1 rude|"
    "ruden|vindue*",
    f"jeg|vi|ja|jg ~2 brænder|sprænger|smadrer|bomber|sætter_ild_til ~3 {DA_PLACE}|det_hele ~2 ned|i_luften|af|op|"
    f"i_stykker",
    f"sætter|sætte ~1 ild_til ~2 {DA_PLACE}",
    "jeg|vi ~2 finder|får_fat_i ~1 dig|jer|ham|hende",
    "slår|slaar|skyder|stikker ~1 dig|jer ~1 ihjel|ned",
    "ved|kender ~1 hvor ~2 du|i|han|hun|de|din|jeres ~2 bor|arbejder|sover|børn|hus|adresse",
    "så_skal_i|skal_i_nok|i_skal_nok|så_skal_i_nok ~1 se|få_at_se|få_det_at_se|få_at_føle|opleve_noget",
    f"kommer|kommer_forbi|dukker_op|møder_op ~4 {DA_PLACE} ~6 fortryde|fortryder|få_at_se|se_hvad_der_sker",
    "får|skal_få|skal_have|kommer_til_at_få ~1 tæsk|bank|klø|en_kugle|kuglen|en_på_hovedet|en_på_kassen|en_kniv|"
    "en_lussing|røvfuld",
    f"bombe|bomber|sprængstof ~3 i|under|ved|på|udenfor ~2 jeres|din|dit|den|det ~1 {DA_PLACE}",
    "håber|ønsker|beder_til ~4 dør|død|brænder|rådner|får_kræft|kreperer|krepere|dø|brænde_op|bliver_kørt_ned",
    "kommer|kommer_forbi|dukker_op|møder_op ~6 med ~2 kniv|pistol|gevær|baseballbat|baseballkølle|økse|benzin|"
    "jernstang|hammer|kniven|våben",
    "du_er|i_er ~1 død|døde|færdige_mænd|en_død_mand",
    "gid|bare ~2 i|du|de ~2 dør|døde|brænder|kreperer",
]
_THREAT_EXCEPTIONS = [
    # Figures of speech built from violent words.
    "killing|kills|killed|kill ~1 me|myself",
    "killer ~1 deal|deals|offer|price|prices|app|feature|promo|bargain|combo|view|song|track|sale",
    "i'd|i_would|would|i_could|could ~1 kill|die ~1 for",
    "dead|died|dies|dying ~3 battery|batteries|phone|modem|router|decoder|remote|line|laptop|screen|tv|box",
    "battery|batteries|phone|modem|router|decoder|remote|line|laptop|screen|tv|box|wifi|internet|app|connection ~3 "
    "dead|died|dies|dying|is_dead|killed|dead_again",
    "kill ~1 the|this|that|my ~1 process|app|switch|job|task|session|tab|time",
    "the_bomb|da_bomb|photobomb*|bombed|bombarded|bombard*|bomb_of_a_deal|dead_pool|deadpool",
    "murder_on_the|murder_mystery|murder_she_wrote|killer_queen|die_hard",
    "you're_dead_to_me|youre_dead_to_me|dead_to_me|drop_dead_gorgeous",
    "schiet|schieten|schiet_je ~2 niet_mee_op|niet_op|mee_op|niks_mee_op|er_niet_mee_op|er_niks_mee_op|"
    "ermee_op|niet_veel_mee_op",
    "dood_op|doodop|doodmoe|dood_moe|doodsaai|dodelijk|lach_me_dood|lachte_me_dood|lag_dood|verveel_me_dood|"
    "ik_sterf_van|sterf_van_de|schrik_me_dood|schrok_me_dood|werk_me_dood|doodnormaal|dood_normaal",
    "batterij|accu|gsm|modem|telefoon|decoder|toestel|lijn|laptop|scherm|tv|router|afstandsbediening ~3 dood|"
    "is_dood|gaat_dood|valt_dood|viel_dood|ging_dood",
    "moordprijs|moordpromo|moorddeal|moordaanbod|killerdeal|killer_promo|moordprijzen",
    "me_tue|ca_me_tue|m_a_tue|tue_le_temps|tuer_le_temps|une_tuerie|tuerie|offre_qui_tue|prix_qui_tue|qui_tue|"
    "mort_de_rire|morte_de_rire|morts_de_rire|mortes_de_rire|de_la_bombe|mortel|explose_de_rire|exploser_de_rire",
    "batterie|telephone|gsm|modem|box|decodeur|ecran|tele|ligne|portable ~3 morte|mort|est_morte|est_mort|"
    "a_rendu_l_ame|creve|crevee",
    "je_suis|suis|j_suis|chui ~1 mort|morte|creve|crevee|mort_de_fatigue",
    "slår_mig_ihjel|slaar_mig_ihjel|dræber_mig|draeber_mig|dræbertilbud|draebertilbud|dø_af_grin|dør_af_grin|"
    "døde_af_grin|ved_at_dø|griner_mig_ihjel|keder_mig_ihjel|arbejder_mig_ihjel|dødtræt|dødkedelig",
    "batteri|batteriet|telefon|telefonen|mobil|mobilen|modem|modemet|router|routeren|skærm|skærmen ~3 dødt|død|"
    "døde|er_død|er_dødt|ihjel",
]

# --- Hate ------------------------------------------------------------------------------------

_HATE_NEGATIVE = ("thieves|animals|vermin|rats|scum|parasites|criminals|terrorists|subhuman|savages|monkeys|apes|"
                  "cockroaches|filth|filthy|inferior|disgusting|should_not_be_allowed|shouldn't_be_allowed|"
                  "not_be_allowed|don't_belong|dont_belong|go_back|be_deported|get_out|own_everything|own_the|"
                  "own_your|control_the|control_everything|run_the_world|ruin*|destroy*|taking_over|take_over|"
                  "invad*|breed*|back_where|back_to_their|back_to_where|back_home|back_to_africa|"
                  "dieven|steel*|stelen|gestolen|criminelen|crimineel|tuig|uitschot|ongedierte|beesten|apen|ratten|"
                  "parasieten|profiteurs|terroristen|walgelijk|smerig|horen_hier_niet|moeten_buiten|moeten_weg|"
                  "moeten_terug|mogen_niet|terug_naar|naar_huis|nemen_alles_over|pakken_alles|overnemen|"
                  "voleurs|volent|criminels|racaille|vermine|animaux|singes|rats|parasites|terroristes|envahi*|"
                  "envahiss*|degueulasse*|degoutant*|doivent_partir|dehors|rentrer_chez_eux|a_la_porte|"
                  "remplacement|puent|possedent|controlent|"
                  "tyve|stjæler|kriminelle|kriminel|dyr|aber|rotter|parasitter|snyltere|terrorister|ulækker*|klam*|"
                  "beskidte|skal_ud|skal_hjem|burde_ikke|bør_ikke|skal_ikke_have_lov|ejer|styrer|tager_over|"
                  "overtager|stinker|in_handen|in_hun_handen|beheersen|bezitten|controleren")

_HATE = [
    *(f"{slurs}" for slurs in (SLURS["nl"], SLURS["fr"])),
    Rule(HATE, SLURS["en"]),
    Rule(HATE, "fag", language="en"),
    Rule(HATE, SLURS["da"]),
    f"{ALL_GROUPS} ~6 {_HATE_NEGATIVE}",
    f"send|ship|deport|kick|throw|stuur|stuurt|schop|zet|gooi|renvoyez|renvoyer|renvoie|virez|virer|expulsez|"
    f"expulser|send|smid|deporter|deportér ~3 {ALL_GROUPS} ~4 back|home|out|terug|buiten|eruit|het_land_uit|"
    f"naar_huis|naar_hun_land|chez_eux|dehors|de_chez_nous|dans_leur_pays|au_bled|hjem|ud|ud_af_landet",
    f"of_course|typical|bloody|fucking|filthy|dirty|stinking|vuile|vieze|smerige|stomme|rot|kut|kanker|tyfus|sale|"
    f"sales|putain_de|selvfølgelig|typisk|beskidte|dumme|klamme|møg|fucking ~3 {ALL_GROUPS}",
    "go_back_to|go_home_to|ga_terug_naar|terug_naar|retourne|retournez|rentre|rentrez|rejs_hjem_til|skrid_hjem_til "
    "~2 your|ur|je|jullie|jouw|ton|votre|dit|jeres|dans_ton|dans_votre ~1 country|own_country|desert|jungle|"
    "africa|cave|land|eigen_land|woestijn|afrika|pays|bled|afrique|ørken|afrika|hjemland",
    f"envahi*|remplac*|overspoeld|overstroomd|oversvømmet|invaded|overrun ~4 {ALL_GROUPS}",
    f"virez|virer|expulsez|expulser|deportez|dehors_les|fire|sack|kick_out|ontsla|ontsla_die|buiten_met|smid|fyr|"
    f"fyr_alle ~2 {ALL_GROUPS}",
    "go_back|ga_terug|retournez|retourne|rentrez|rentre|rejs_hjem|skrid_hjem|tag_hjem|ga_maar_terug ~2 en_afrique|"
    "au_bled|to_africa|naar_afrika|naar_marokko|naar_turkije|til_afrika|to_the_jungle|dans_la_jungle|"
    "naar_de_jungle|naar_je_land|to_your_country|dans_ton_pays",
    "sale_race|vuil_ras|dirty_race|beskidte_race|minderwaardig_ras|race_inferieure",
]
_HATE_EXCEPTIONS = [
    "chink_in|chinks_in",
    # "Polen" is also the country; "homo" alone is neutral in Dutch; "de sorte" in Danish is an ordinary plural.
    "naar_polen|in_polen|uit_polen|van_polen",
]

# --- Insults ---------------------------------------------------------------------------------

_INSULT_STRONG = [
    "idiot*|moron*|imbecile*|imbecil*|cretin*|dumbass*|dumb_ass|asshole*|arsehole*|bastard*|scumbag*|dickhead*|"
    "prick|pricks|twat*|wanker*|cunt*|bitch|bitches|motherfucker*|mofo|shithead*|dipshit*|douchebag*|douche|"
    "douches|jackass*|numbnuts|knobhead*|tosser*|retard|retards|retarded|braindead|brain_dead|fuckwit*|fucktard*|"
    "pillock*|bellend*|slut|sluts|whore*|son_of_a_bitch|sons_of_bitches|dumbfuck*|fuckface*|shitbag*|cocksucker*|"
    "lowlife|lowlifes|*idiot|*idiots|*idioten|*idioter|*idiote|*idiotes|*klootzak|*klootzakken|*connard|*connards|"
    "fils_de_p",
    "fuck_you|fuck_u|fuck_off|fuck_yourself|fuck_yourselves|fuck_ya|fuck_all_of_you|fuck_y'all|fuck_yall|"
    "fuck_u_all|screw_you|screw_u|screw_yall|go_to_hell|go_fuck|stfu|shut_up|shut_the_fuck_up|piss_off|"
    "get_fucked|eat_shit|bite_me|suck_my|up_yours|sod_off|bugger_off",
    "debiel*|mongool*|mongolen|klootzak*|klootzakken|klojo*|sukkel*|eikel|eikels|hufter*|lul|lulletje*|"
    "lulhannes|teringlijer*|kankerlijer*|tyfuslijer*|pestlijer*|klerelijer*|lijer|lijers|kankerhoer*|"
    "kankerwijf|teringwijf|kutwijf*|hoer|hoeren|slet|sletten|teef|teven|trut|trutten|smeerlap*|schoft*|ploert*|"
    "rotzak*|schorem|uitschot|gespuis|etterbak*|achterlijk*|gestoord*|randdebiel*|zakkenwasser*|"
    "kanker*|tering*|tyfus*|klerezooi",
    "krijg|krijgen|krijgt ~2 de|het|allemaal_de ~1 kanker|tering|tyfus|pest|klere|pleuris|ziekte|kolere|takke",
    "kanker_op|tering_op|tyfus_op|rot_op|rot_toch_op|oprotten|donder_op|flikker_op|sodemieter_op|opflikkeren|"
    "opkankeren|opdonderen|opsodemieteren|pleur_op|opleuren|opzouten|hou_je_bek|hou_je_kop|houd_je_bek|kop_dicht|"
    "bek_dicht|val_dood|loop_naar_de_hel|loop_naar_de_maan",
    "connard*|connasse*|conne|connes|abruti*|debile*|encule*|enfoire*|salaud*|salopard*|salope*|pute|putes|"
    "fils_de_pute|fdp|ntm|nique_ta_mere|nique_ta|niquez|niker|batard*|branleur*|bouffon*|guignol*|pouffiasse*|"
    "trouduc*|trou_du_cul|tete_de_noeud|pauvre_type|gogol*|attarde*|cassos|cas_soc|sous_merde*|merdeux|merdeuse*",
    "ta_gueule|ferme_ta_gueule|fermez_vos_gueules|fermez_la|ferme_la|va_te_faire|allez_vous_faire|va_chier|"
    "allez_chier|vas_te_faire|mange_tes_morts|mangez_vos_morts|va_te_pendre|allez_vous_pendre",
    "fjols*|røvhul*|kælling*|luder|ludere|luderen|pikhoved*|pikfjæs|pikansigt|kraftidiot*|spasser*|spasmager*|"
    "tåbe|tåber|klaphat*|skiderik*|møgkælling*|møgsvin|åndssvag*|hjernedød*|kræftsvin|kraeftsvin|idiotsvin",
    "fuck_dig|fuck_jer|fuck_af|fuck_dem|skrid|skrid_ad_helvede_til|hold_din_kæft|hold_jeres_kæft|hold_dog_kæft|"
    "luk_røven|luk_arret|rend_mig|rend_og_hop|gå_ad_helvede_til|gå_ad_helvede",
]
_INSULT_TARGETED = [
    # Weaker words that insult only when aimed at someone.
    "you|u|ya|yall|y'all|ye|you're|youre|ur|bunch_of|pack_of|band_of|load_of|lot_of|like_a|such_a|what_a|"
    "you_lot|you_guys ~2 clown*|cow|cows|pig|pigs|loser*|dick|dicks|jerk*|fool|fools|muppet*|donkey*|dimwit*|"
    "halfwit*|nitwit*|numpty|numpties|apes|monkeys|rats|scum|trash|garbage|filth|vermin|weirdo*|freak*|dog|dogs|"
    "prat|prats|plonker*|leeches|parasites|snakes|clowns|morons|lowlifes|bozo*|buffoon*",
    "you're|you_are|youre|ur|u_r|yall_are|you_all_are|you_guys_are ~2 stupid|dumb|pathetic|worthless|brainless|"
    "useless_idiots|thick|scum|trash|garbage|a_joke|clowns|a_disgrace|retarded",
    "stelletje|bende|bende_van|hoop|zootje|stel|jij|jullie|gij|ge|vuile|vieze|stomme|domme|luie|waardeloze|"
    "incompetente|achterlijke|smerige ~2 apen|ezels|ezel|sukkels|clowns|clown|prutsers|prutser|nietsnutten|"
    "randdebielen|varkens|varken|honden|hond|ratten|rat|beesten|beest|koeien|kalkoenen|boerenpummels|"
    "boerenlullen|oelewappers|dwazen|kwallen|kwal|paljassen|lapzwansen|nietsnut|zak|zakken|oplichter*|dief|"
    "dieven|leugenaar*|bedrieger*|aasgier*|schurk*|gier|gieren|rotte_appels|mislukkeling*|nul|nullen|"
    "losers|loser|bende",
    "dom|stom|vuil|lelijk|oud|dik ~1 wijf|wijven|kalf|kalven",
    "dikke|vuile|stomme|luie|rot|smerige|vieze ~1 zak|zakken|varken|hond|rat",
    "jullie_zijn|je_bent|ge_zijt|gij_zijt|zijn_jullie|ben_je|bent_ge ~2 achterlijk|gestoord|debiel|mongolen|"
    "sukkels|nul|prutsers|waardeloze_idioten|een_stelletje",
    "bande_de|bande_d|espece_de|espece_d|tas_de|ramassis_de|ramassis_d|vous_etes|t_es|tu_es|vous_etes_tous|"
    "tous_des|vraiment_des|sont_des|que_des|quelle_bande_de|bunch ~2 incapables|incompetents|nuls|minables|"
    "clowns|clown|guignols|rigolos|tocards|tocard|charlots|porcs|porc|chiens|chien|rats|vermines|ordures|ordure|"
    "raclures|raclure|merdes|pourris|pourriture|nazes|nullards|nullites|baltringues|boulets|andouilles|"
    "andouille|cornichons|truffes|glands|blaireaux|blaireau|vaches|singes|animaux|moutons|crevards|gueux|"
    "branques|bras_casses|manches",
    "sale|sales|espece_de|espece_d|bande_de|bande_d|pauvre|pauvres|gros|grosse|vieux|vieille ~1 escroc*|voleur*|"
    "menteur*|porc*|chien*|rat|rats|ordure*|merde*|con|cons|conne|connes|clown*|guignol*|vache|truie|type|"
    "mec|nul|nulle|idiote|cretine",
    "quel|quelle|pauvre|gros|bande_de|espece_de|sale|vieux|vieille|petit|petite|t_es|tu_es|vous_etes|des|ces|"
    "tous_des|vraiment_des|sont_des|que_des ~1 con|cons|conne|connes",
    "dit|din|dine|jeres|i_er|du_er|flok|flok_af|bande_af|bunke|samling|dumme|lede|klamme|fede|sølle|"
    "inkompetente|møg|kæmpe|store|beskidte ~2 svin|so|idioter|klovne|klovn|tabere|taber|aber|abe|grise|gris|"
    "rotter|rotte|hunde|hund|køer|æsler|æsel|tosser|tosse|fjolser|kvajer|kvaj|snydepelse|"
    "lort|lorte|nosser|idiot",
    # Dehumanising a whole group is an insult as well as hate.
    f"{ALL_GROUPS} ~3 apen|singes|aber|monkeys|apes|beesten|animaux|dyr|animals|ratten|rats|rotter|vermin|vermine|"
    f"ongedierte|cafards|kakkerlakken|cockroaches|kakerlakker",
    f"sale|sales|vuile|vieze|smerige|dirty|filthy|beskidte|fucking|kut|kanker ~1 {ALL_GROUPS}",
]
_INSULT_EXCEPTIONS = [
    # Someone else's insult, reported: "your agent called me an idiot".
    "called|calls|calling|named ~5",
    "said|says|told_me ~1 i|i_was|i'm|im|we_were|he_was|she_was ~3",
    "noemde|noemt|noemden|noemen|uitgemaakt|uitmaakte|schold|scheldt|uitschelden ~5",
    "zei|zegt|zeiden|zeggen|vond|vindt ~1 dat ~1 ik|we|wij|mijn ~4",
    "traite|traitee|traites|traitait|traiter|traitees|insulte|insultee ~3 de|d ~2",
    "m_appelle|m_a_appele|m_a_appelee|m_a_dit|a_dit_que_j_etais|m_a_dit_que_j_etais|m_a_insulte|"
    "m_a_insultee|m_a_traite|m_a_traitee|m_ont_traite ~3",
    "kaldte|kalder|kaldt|kalde|kaldet|svinede ~5",
    "sagde|siger|mente|synes|syntes ~1 at ~1 jeg|vi|min ~4",
    # The writer about themselves: "I'm such an idiot, I forgot to pay".
    "i_am|i'm|im|i_was|i_feel_like|i_felt_like|i_feel|what_an|what_a|call_me ~1 such|a|an|so|the|total|complete|"
    "real|absolute|bit|biggest|proper|right ~2",
    "ik_ben|ik_was|ik_voel_me|ik_voelde_me|k_ben|kben|ben_ik|was_ik|wat_ben_ik ~1 echt|een|zo|zon|zo'n|ook|wel|"
    "toch|gewoon|de_grootste|even|nogal|soms|me ~3",
    "je_suis|j_suis|chui|suis|j_etais|j_ai_ete|je_me_sens|je_me_suis_senti ~1 un|une|vraiment|trop|tellement|"
    "completement|totalement|grave|quel|quelle|une_vraie|un_vrai|un_peu|bien ~2",
    "quel|quelle|quels|quelles ~1 je_suis|j_suis|chui|je_fais|suis_je",
    "jeg_er|jeg_var|jeg_føler_mig|jeg_følte_mig|jg_er|sikke_en|er_jeg ~1 sådan|en|bare|lidt|virkelig|total|"
    "sådan_en|godt|da|også|bare_en|simpelthen ~2",
    # Words that contain an insult and mean something else.
    "idiot_proof|idiotproof|idiot_box|idiotensicher|idiotsikker*|shut_up_and_take|dick_tracy|moby_dick|"
    "shut_up_shop|pricking|fjolsesikker",
    "kankerpatient*|kankeronderzoek*|kankerfonds|kankerbestrijding|kankercel*|kankerverwekkend*|"
    "kankerbehandeling*|kankerafdeling*|kankercentrum|kankerzorg|kankerinstituut|kankerpreventie|"
    "kankerscreening|kankervereniging|kankerlijden|tering_en_verteer",
    "heeft|had|hebben|met|aan|tegen|van|overleden_aan|gestorven_aan|door|stierf_aan|vecht_tegen|"
    "diagnose|tegen_de|behandeling_voor|ziek_door ~1 kanker",
    "dom|stom ~1 kalf|kalven ~0",
    "lul_de_behanger|lulkoek|lulverhaal*|lullen|lulde|lult|kletsen",
    "skrid_ikke|skrider|skridt*",
]


def _expand(label: str, entries: list[object], *, exception: bool = False) -> list[Rule]:
    rules = []
    for entry in entries:
        if isinstance(entry, Rule):
            rules.append(entry)
        else:
            rules.append(Rule(label, str(entry), exception=exception))
    return rules


BUILTIN_RULES: list[Rule] = [
    *_expand(THREAT, _THREAT_EN + _THREAT_NL + _THREAT_FR + _THREAT_DA),
    *_expand(THREAT, _THREAT_EXCEPTIONS, exception=True),
    *_expand(HATE, _HATE),
    *_expand(HATE, _HATE_EXCEPTIONS, exception=True),
    *_expand(INSULT, _INSULT_STRONG + _INSULT_TARGETED),
    Rule(INSULT, SLURS["en"]),
    Rule(INSULT, SLURS["nl"]),
    Rule(INSULT, SLURS["fr"]),
    Rule(INSULT, SLURS["da"]),
    *_expand(INSULT, _INSULT_EXCEPTIONS, exception=True),
]
