"""`beanclear init`: a merchant's first hour. survey.py identifies a folder of
statements into a plain description, columns.py guesses the column map of a bank CSV
no type claims, writer.py turns the description into a commented config.yaml and the
repository's template files, command.py is the click command."""
