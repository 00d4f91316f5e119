from kontora.cli import main

main()
