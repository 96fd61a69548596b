[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Text.Tests")]
