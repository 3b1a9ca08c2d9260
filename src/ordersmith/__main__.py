from ordersmith.cli.main import main

main()
