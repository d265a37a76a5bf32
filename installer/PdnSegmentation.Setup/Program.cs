return PdnSegmentation.Setup.Console.SetupApp.Run(args, Console.Out, Console.Error);
