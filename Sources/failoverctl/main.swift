print("failoverctl")
