from perfopt.cli import main

main()
