// Module Tokenization: see README "Architecture".
