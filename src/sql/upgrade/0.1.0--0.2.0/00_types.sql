-- 0.2.0: the letter-or-digit rule of every not-blank text (issue 27).
CREATE FUNCTION channel.has_letter_or_digit(t text) RETURNS boolean
AS 'MODULE_PATHNAME', 'channel_has_letter_or_digit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION channel.has_letter_or_digit(text) IS
  'True when the text has a letter or digit as channel.normalize_company sees it (any script, after NFKC and transliteration to Latin): the "not blank" rule of every name, description and reason. False for text made only of spaces, punctuation, invisible characters (U+200B, U+FEFF, U+202E, ...) or lone combining marks.';
