// Module ModelFormats: see README "Architecture".
