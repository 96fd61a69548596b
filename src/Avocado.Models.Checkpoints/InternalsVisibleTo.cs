using System.Runtime.CompilerServices;

// The chunked copy only takes effect above 2 GiB per tensor; tests drive it with a small chunk size instead.
[assembly: InternalsVisibleTo("Avocado.Models.Tests")]
