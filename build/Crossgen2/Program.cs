// Nothing to run: the project exists for the ReadyToRun compiler its publish restores.
System.Console.WriteLine("crossgen2: see crossgen2.txt in the publish folder");
