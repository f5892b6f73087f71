// Module AttuneRuntime: see README "Architecture".
