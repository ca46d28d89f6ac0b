"""`python -m alur_compiler` runs the alurc CLI."""

from alur_compiler.entry import main

main()
