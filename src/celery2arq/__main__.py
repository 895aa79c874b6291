from celery2arq.cli import main

main()
