from pycsync.cli import main

main()
