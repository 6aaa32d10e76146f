print("bone")
