[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Avocado.Serving.Tests")]
