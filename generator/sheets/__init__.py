"""One module per sheet of the issued workbooks; each has a ``write(book, …)`` function that adds
its sheet to a :class:`cdht_generator.builder.Book` and returns what later sheets refer to."""
