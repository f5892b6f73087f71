// Module Plotting: terminal (braille) charts, SVG and PNG files.
