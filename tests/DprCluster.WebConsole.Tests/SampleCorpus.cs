using DprCluster.Silo.Api;

namespace DprCluster.WebConsole.Tests;

/// <summary>The passages the console tests search, project and list, one of them written to attack the page.</summary>
internal static class SampleCorpus
{
    /// <summary>Title of the passage whose text is markup that would run script if the page parsed it as HTML.</summary>
    public const string HostileTitle = "Hostile markup";

    /// <summary>What the hostile passage's script and handler would set the page title to.</summary>
    public const string Pwned = "pwned";

    public static readonly PassageBody[] Passages =
    [
        new() { Id = "everest", Title = "Mount Everest", Text = "Mount Everest is the highest mountain above sea level, in the Himalayas." },
        new() { Id = "k2", Title = "K2", Text = "K2 is the second highest mountain on Earth, in the Karakoram range." },
        new() { Id = "nile", Title = "Nile", Text = "The Nile is a major river flowing north through Africa into the Mediterranean." },
        new() { Id = "amazon", Title = "Amazon River", Text = "The Amazon carries more water than any other river in the world." },
        new() { Id = "sahara", Title = "Sahara", Text = "The Sahara is the largest hot desert in the world, across North Africa." },
        new() { Id = "cheetah", Title = "Cheetah", Text = "The cheetah is the fastest land animal, reaching 100 kilometres per hour." },
        new() { Id = "falcon", Title = "Peregrine falcon", Text = "The peregrine falcon is the fastest bird when it dives for prey." },
        new() { Id = "whale", Title = "Blue whale", Text = "The blue whale is the largest animal known to have ever lived." },
        new() { Id = "moon", Title = "Apollo 11", Text = "Apollo 11 landed the first humans on the Moon in July 1969." },
        new() { Id = "mars", Title = "Mars", Text = "Mars is the fourth planet from the Sun, a cold desert world with red dust." },
        new() { Id = "jupiter", Title = "Jupiter", Text = "Jupiter is the largest planet of the solar system, a gas giant." },
        new() { Id = "pacific", Title = "Pacific Ocean", Text = "The Pacific is the largest and deepest of the oceans on Earth." },
        new() { Id = "tokyo", Title = "Tokyo", Text = "Tokyo is the capital of Japan and one of the most populous cities." },
        new() { Id = "paris", Title = "Paris", Text = "Paris is the capital of France, on the river Seine." },
        new() { Id = "photosynthesis", Title = "Photosynthesis", Text = "Plants turn light, water and carbon dioxide into sugar and oxygen." },
        new() { Id = "dna", Title = "DNA", Text = "DNA carries the genetic instructions of every known living organism." },
        new() { Id = "volcano", Title = "Volcano", Text = "A volcano is an opening in the crust where molten rock erupts." },
        new() { Id = "hostile", Title = HostileTitle,
            Text = $"<img src=x onerror=\"document.title='{Pwned}'\"><script>document.title='{Pwned}'</script> highest mountain markup" },
    ];
}
