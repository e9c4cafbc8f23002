/* Webcare: the length of an answer as the server counts it (inbox/policies.py, inbox/text.py).
 *
 * An exact port, checked against the Python code on a shared set of samples by
 * tests/browser/test_x_length.py. Python's idea of whitespace (str.isspace, re's \s)
 * differs from JavaScript's, so it is spelled out here instead of using \s or trim().
 */
(function () {
  "use strict";

  var LIGHT_RANGES = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var URL_LENGTH = 23;
  var PY_SPACE = "\\t\\n\\u000b\\f\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var URL = new RegExp("https?://[^" + PY_SPACE + "]+", "giu");
  var LEADING = new RegExp("^[" + PY_SPACE + "]+", "u");
  var TRAILING = new RegExp("[" + PY_SPACE + "]+$", "u");
  var MAX_TEXT_CHARS = 200000;
  var TRUNCATION_MARK = "\u2026";

  function plainLength(text) {
    var length = 0;
    for (var ch of text) {
      var code = ch.codePointAt(0);
      var light = false;
      for (var i = 0; i < LIGHT_RANGES.length; i++) {
        if (code >= LIGHT_RANGES[i][0] && code <= LIGHT_RANGES[i][1]) { light = true; break; }
      }
      length += light ? 1 : 2;
    }
    return length;
  }

  /* inbox.policies.x_weighted_length */
  function xWeightedLength(text) {
    text = text.normalize("NFC");
    var length = 0;
    var position = 0;
    URL.lastIndex = 0;
    var match;
    while ((match = URL.exec(text)) !== null) {
      length += plainLength(text.slice(position, match.index)) + URL_LENGTH;
      position = match.index + match[0].length;
    }
    return length + plainLength(text.slice(position));
  }

  function codePoints(text) {
    var count = 0;
    for (var _ch of text) { count++; }  // eslint-disable-line no-unused-vars
    return count;
  }

  function pyStrip(text) {
    return text.replace(LEADING, "").replace(TRAILING, "");
  }

  /* inbox.text.clean_text: NUL and lone surrogates become U+FFFD; over-long text is cut. */
  function cleanText(text) {
    if (!text) { return ""; }
    text = text.replace(/\u0000/g, "\ufffd").replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
    if (codePoints(text) > MAX_TEXT_CHARS) {
      text = Array.from(text).slice(0, MAX_TEXT_CHARS - 1).join("") + TRUNCATION_MARK;
    }
    return text;
  }

  /* inbox.policies.sign */
  function sign(text, signature) {
    text = pyStrip(text);
    if (!signature || text.endsWith(signature)) { return text; }
    return text + " " + signature;
  }

  /* What inbox.services.replies._prepare_text measures: the cleaned, stripped, signed answer. */
  function answerLength(text, signature, weighted) {
    var body = pyStrip(cleanText(text));
    if (!body) { return 0; }
    var final = sign(body, signature);
    return weighted ? xWeightedLength(final) : codePoints(final);
  }

  window.WebcareLength = { xWeightedLength: xWeightedLength, answerLength: answerLength };
})();
