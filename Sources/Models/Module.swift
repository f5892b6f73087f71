// Module Models: see README "Architecture".
