// Module AttuneNotebook: see README "Architecture".
