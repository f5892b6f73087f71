// Module AttuneLanguage: see README "Architecture".
